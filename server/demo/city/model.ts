import type { MultiPolygon, Polygon } from 'geojson';
import type { LonLat } from '../ground.js';

// The shape of the result

export interface DemoUnit {
  code: string;
  name: string;
  phone: string;
  address: string;
}
export interface DemoPrecinct extends DemoUnit {
  bureau_code: string;
  geometry: MultiPolygon;
}
export interface DemoStation extends DemoUnit {
  precinct_code: string;
  geometry: MultiPolygon;
}
export interface DemoBeat {
  code: string;
  name: string;
  station_code: string;
  officer_name: string;
  geometry: MultiPolygon;
}
/** Synthetic points carry the beat of the block they were placed in (the loader needs no lookup). */
interface Placed {
  point: LonLat;
  beat_code: string;
}
export interface DemoKeyPlace extends Placed {
  name: string;
  address: string;
  category: string;
  listing_status: 'listed' | 'delisted';
  listed_on: string;
  delisted_on: string | null;
  /** Indicator type → observed signs; only types with at least one sign. */
  indicators: Record<string, string[]>;
  next_visit_due: string | null;
  notes: string | null;
}
export interface DemoVisit {
  place_index: number;
  officer: string;
  visited_at: string;
  outcome: string;
  findings: string;
}
export interface DemoCamera extends Placed {
  name: string;
  azimuth: number;
  fov: number;
  range_m: number;
  owner_kind: string;
  status: string;
  lpr: boolean;
  networked: boolean;
  adjustable: boolean;
  install_year: number;
  /** In service since New Year's Day of its install year (Taiwan time). */
  created_at: string;
  is_public: boolean;
  contact: string | null;
}

/** A camera's status change over the past year (示範資料), as an edit would have recorded it. */
export interface DemoCameraChange {
  camera_index: number;
  at: string;
  was: string;
  became: string;
}
/** A patrol sign-in point (巡簽點) on a street of its beat. */
export interface DemoPatrolPoint extends Placed {
  name: string;
  kind: string;
  keeper: string | null;
}

export interface DemoPatrolSignIn {
  point_index: number;
  officer: string;
  signed_at: string;
  method: 'position' | 'qr';
  distance_m: number | null;
  accuracy_m: number;
}

export interface DemoWatchTeam {
  name: string;
  precinct_code: string;
  leader: string;
  phone: string;
  members: number;
  notes: string | null;
}
export interface DemoWatchBlock {
  name: string;
  adopter: string;
  adopter_kind: string;
  team_index: number;
  contact: string;
  patrol_hours: string;
  geometry: MultiPolygon;
}
export interface DemoDroneSurvey {
  name: string;
  purpose: string;
  target_place_indexes: number[];
  planned_on: string;
  altitude_m: number;
  status: string;
  findings: string | null;
  geometry: Polygon;
}
export interface DemoIncident extends Placed {
  type: string;
  occurred_at: string;
  source: string;
  description: string;
}
/** A planted concentration of incidents, exported so tests can check that analysis finds it. */
export interface PlantedHotSpot {
  name: string;
  centre: LonLat;
  sigmaM: number;
  /** The incident types that dominate here. */
  types: string[];
  incidentCount: number;
}

export interface DemoCity {
  seed: number;
  scale: number;
  /** The moment the city was generated for (ISO 8601, +08:00): incidents lie in the 365 days before. */
  now: string;
  bureau: DemoUnit;
  precincts: DemoPrecinct[];
  stations: DemoStation[];
  beats: DemoBeat[];
  keyPlaces: DemoKeyPlace[];
  visits: DemoVisit[];
  cameras: DemoCamera[];
  /** Status changes of the cameras, oldest first per camera, ending in each one's present status. */
  cameraChanges: DemoCameraChange[];
  watchTeams: DemoWatchTeam[];
  patrolPoints: DemoPatrolPoint[];
  /** Sign-ins at the points over the last 30 days (示範資料), by the beats' officers. */
  patrolSignIns: DemoPatrolSignIn[];
  watchBlocks: DemoWatchBlock[];
  droneSurveys: DemoDroneSurvey[];
  incidents: DemoIncident[];
  hotSpots: PlantedHotSpot[];
  /** The 村里 of the demo `community` account. */
  community: { villageCode: string; name: string };
}

export interface DemoCityOptions {
  seed?: number;
  /** Multiplies the number of key places (and so visits), cameras and incidents; units stay fixed. */
  scale?: number;
  /** Defaults to the start of the current day in Asia/Taipei. */
  now?: Date;
}
