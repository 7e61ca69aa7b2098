import type { Principal } from '../auth/principal.js';
import { INTERNAL_ROLES, type LayerDef, type PropertyDef, type RoleAccess, type RowCondition, type WriteOp } from './types.js';

/** Access rules of the registry turned into answers and SQL. */

export const roleAccess = (layer: LayerDef, p: Principal): RoleAccess | undefined => layer.access[p.role];

export const canRead = (layer: LayerDef, p: Principal) => roleAccess(layer, p) !== undefined;

export const isInternal = (p: Principal) => INTERNAL_ROLES.includes(p.role);

export function writeAccess(layer: LayerDef, p: Principal, op: WriteOp) {
  const w = roleAccess(layer, p)?.write;
  return w && w.ops.includes(op) ? w : undefined;
}

/** Properties the principal may receive: sensitive ones only for internal roles. */
export const readableProperties = (layer: LayerDef, p: Principal): PropertyDef[] =>
  layer.properties.filter((prop) => !prop.sensitive || isInternal(p));

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
