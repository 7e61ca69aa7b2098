import type { Principal } from '../auth/principal.js';
import { INTERNAL_ROLES, type LayerDef, type PropertyDef, type RoleAccess, type RowCondition, type WriteOp } from './types.js';

/** Access rules of the registry turned into answers and SQL. */

export const roleAccess = (layer: LayerDef, p: Principal): RoleAccess | undefined => layer.access[p.role];

/**
 * The read rules that apply to a principal, any of which lets a row through: the role's own, and
 * for a community account also the public's, so a 里 account never sees less than a visitor.
 */
function readRules(layer: LayerDef, p: Principal): (readonly RowCondition[])[] {
  const own = roleAccess(layer, p)?.read;
  const asPublic = p.role === 'community' ? layer.access.public?.read : undefined;
  return [own, asPublic].filter((r): r is readonly RowCondition[] => r !== undefined);
}

export const canRead = (layer: LayerDef, p: Principal) => readRules(layer, p).length > 0;

export const isInternal = (p: Principal) => INTERNAL_ROLES.includes(p.role);

export function writeAccess(layer: LayerDef, p: Principal, op: WriteOp) {
  const w = roleAccess(layer, p)?.write;
  return w && w.ops.includes(op) ? w : undefined;
}

/** Properties the principal may receive: sensitive ones only for internal roles. */
export const readableProperties = (layer: LayerDef, p: Principal): PropertyDef[] =>
  layer.properties.filter((prop) => !prop.sensitive || isInternal(p));

/** SQL that holds for the rows of `alias` the principal may read. Parameters are appended to `params`. */
export function readableRows(layer: LayerDef, p: Principal, params: unknown[], alias = 't'): string {
  const rules = readRules(layer, p);
  return rules.length ? `(${rules.map((r) => rowsWhere(layer, r, p, params, alias)).join(' OR ')})` : 'false';
}

/**
 * SQL that holds for the rows of `alias` the conditions allow, for this principal.
 * Parameters are appended to `params`.
 */
export function rowsWhere(layer: LayerDef, conditions: readonly RowCondition[], p: Principal, params: unknown[], alias = 't'): string {
  const parts = conditions.map((c): string => {
    switch (c) {
      case 'all':
        return 'true';
      case 'precinct': {
        if (!p.precinctCode) return 'false';
        params.push(p.precinctCode);
        return `${alias}.${layer.table === 'precincts' ? 'code' : 'precinct_code'} = $${params.length}`;
      }
      case 'area': {
        if (!layer.geometry || p.userId === null) return 'false';
        params.push(p.userId);
        return `ST_Intersects(${alias}.${layer.areaColumn ?? 'geom'}, (SELECT area FROM users WHERE id = $${params.length}))`;
      }
      case 'public':
        return `${alias}.is_public`;
      case 'own':
        params.push(p.username);
        return `${alias}.created_by = $${params.length}`;
    }
  });
  return parts.length ? `(${parts.join(' AND ')})` : 'false';
}
