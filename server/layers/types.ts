import type { Choice } from './vocabularies.js';

export const ROLES = ['admin', 'planner', 'officer', 'community', 'public'] as const;
export type Role = (typeof ROLES)[number];

/** Roles that work inside the police: they may see properties marked sensitive. */
export const INTERNAL_ROLES: readonly Role[] = ['admin', 'planner', 'officer'];

export type PropertyType =
  | { kind: 'text'; maxLength: number }
  | { kind: 'enum'; choices: readonly Choice[] }
  | { kind: 'integer'; min: number; max: number | 'current-year' }
  | { kind: 'number'; min: number; max: number; maxExclusive?: boolean; minExclusive?: boolean }
  | { kind: 'boolean' }
  | { kind: 'date' }
  | { kind: 'timestamp'; notInFuture?: boolean }
  | { kind: 'ids'; layer: string }
  | { kind: 'reference'; layer: string }
  | { kind: 'indicators' };

export interface PropertyDef {
  /** Column name and JSON property name. */
  readonly name: string;
  /** Label in the UI (Traditional Chinese). */
  readonly label: string;
  readonly type: PropertyType;
  /** Must be given when a feature is created. */
  readonly required?: boolean;
  /** Derived by the database (beat assignment, last visit): readable, never written by clients. */
  readonly derived?: boolean;
  /** Personal or operational detail: only internal roles receive it. */
  readonly sensitive?: boolean;
  /** The value is the code of a unit of this kind; people are shown its name (server/units/names.ts). */
  readonly unitCode?: 'precincts' | 'stations' | 'beats';
  /**
   * Column names this layer's own source files give the property (the MOI's VILLCODE for a
   * 村里's code), so they import without a mapping; words every layer shares are in
   * server/import/headers.ts.
   */
  readonly words?: readonly string[];
}

/**
 * Which rows a role may touch, as conditions that must all hold:
 * `all` every row; `precinct` rows in the user's precinct; `area` rows intersecting the
 * community account's area; `public` rows flagged is_public; `own` rows the user created
 * (an officer's own visits, not a colleague's).
 */
export type RowCondition = 'all' | 'precinct' | 'area' | 'public' | 'own';
export type WriteOp = 'create' | 'update' | 'delete';

export interface RoleAccess {
  readonly read: readonly RowCondition[];
  readonly write?: {
    readonly rows: readonly RowCondition[];
    readonly ops: readonly WriteOp[];
    /** When set, only these properties may be changed (e.g. an officer updates camera status). */
    readonly fields?: readonly string[];
  };
}

export type GeometryKind = 'Point' | 'MultiPolygon' | null;

export interface TileOptions {
  readonly minzoom: number;
  readonly maxzoom: number;
  /** Point layers: cluster below this zoom, counting members by this property. */
  readonly cluster?: { readonly belowZoom: number; readonly countBy: string };
  /**
   * Polygon layers: tiles also carry one point per feature, at a spot inside it, in an MVT layer
   * `<id>-labels`; a label drawn there appears once however many tiles the polygon crosses.
   */
  readonly labels?: boolean;
}

export interface LayerStyle {
  readonly color: string;
  /** The property whose values pick the colour (legend entries come from its choices). */
  readonly colorBy?: string;
  /** Points: the property whose values pick the outline colour, a second legend. */
  readonly outlineBy?: string;
  /** Colours of values that carry a meaning (working green, broken red); others take the palette. */
  readonly colours?: Readonly<Record<string, string>>;
  /**
   * Points: values of the colorBy property also told by shape, for whoever cannot tell the
   * colours apart (and on a black-and-white print): `hollow` drawn as a ring with a white
   * middle, `cross` with a white ✕ on the point.
   */
  readonly marks?: { readonly hollow?: readonly string[]; readonly cross?: readonly string[] };
  /** Points: every point drawn as a ring (white middle), a shape no other layer's points have. */
  readonly ring?: boolean;
  /**
   * Areas: fill opacity (default 0.28); 0 draws a clear fill (clicks still find the area);
   * false no fill (unit boundaries drawn as a basemap).
   */
  readonly fill?: number | false;
  /**
   * Areas: outline width in pixels (default 1.5), or widths by zoom (`widthStops`, [zoom, px]
   * pairs, interpolated), dashed, opacity.
   */
  readonly line?: {
    readonly width: number; readonly widthStops?: readonly (readonly [number, number])[];
    readonly dashed?: boolean; readonly opacity?: number;
  };
  /** Areas: the outline's colour when it is not the fill's (block fabric: white streets between blocks). */
  readonly lineColour?: string;
  /**
   * Labels: of areas at the label points of `tiles.labels`, of points beside them. Zooms shown,
   * size, colour (default the layer's) and the property shown (default the layer's label).
   */
  readonly labels?: {
    readonly minzoom: number; readonly maxzoom?: number; readonly size: number;
    readonly colour?: string; readonly text?: string;
  };
  /** Points: a heat map beneath them (its own switch in the web app). */
  readonly heatmap?: boolean;
  /** Points: icons named `<layer>:<colorBy value>`, drawn by the client, over the coloured circle. */
  readonly icons?: boolean;
}

export interface LayerDef {
  /** Identifier in URLs, e.g. `key-places`. */
  readonly id: string;
  readonly table: string;
  /** Title in the UI (Traditional Chinese). */
  readonly title: string;
  /** Stored geometry; Polygon input is accepted for MultiPolygon layers. null: no geometry. */
  readonly geometry: GeometryKind;
  readonly properties: readonly PropertyDef[];
  readonly access: Partial<Record<Role, RoleAccess>>;
  /** The timestamp property that `datetime=` filters on. */
  readonly temporal?: string;
  /** Property that identifies a feature for people (unit code, name). */
  readonly label: string;
  /**
   * Reference ground (縣市, 鄉鎮市區, 村里, the block fabric): drawn beneath every other layer,
   * listed apart from the operational layers.
   */
  readonly ground?: boolean;
  /** Whose data the layer draws, shown on the map (open government data must be attributed). */
  readonly attribution?: string;
  readonly tiles?: TileOptions;
  readonly style?: LayerStyle;
  /** Text properties that the search box matches (by substring), e.g. name and address. */
  readonly search?: readonly string[];
  /**
   * The point column whose intersection with a community account's area decides `area` access
   * (default `geom`): a derived layer is then seen exactly when its source feature is.
   */
  readonly areaColumn?: string;
  /**
   * Roles that may not read the rows but may receive aggregated statistics of them (counts per
   * square, beat or hour, published rounded: server/analysis/disclosure.ts), over the
   * rows these conditions allow.
   */
  readonly aggregates?: Partial<Record<Role, readonly RowCondition[]>>;
}
