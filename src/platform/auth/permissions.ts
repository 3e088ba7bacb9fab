// Pismo's permission groups, `pismo-v1:<group>:rw|ro`: their form, what they allow, and the
// registry of the groups Lastro's routes declare.
const PERMISSION = /^pismo-v1:([a-z0-9_*-]+):(rw|ro)$/;

export const isPermission = (p: string): boolean => PERMISSION.test(p);

/**
 * The permission groups the routes declare, collected as routes register. A permission naming
 * any other group (`pismo-v1:admin:rw`) would grant nothing, so it is refused wherever one is
 * granted: credentials, OpenID keys, OAuth2 scopes, the `pismo` claim of a client JWT.
 */
export class PermissionGroups {
  readonly #names = new Set<string>();

  add(group: string): void {
    this.#names.add(group);
  }

  /** Every registered group, sorted. */
  names(): string[] {
    return [...this.#names].sort();
  }

  /** Whether `permission` names `*` or a registered group (its form is checked by isPermission). */
  knows(permission: string): boolean {
    const group = PERMISSION.exec(permission)?.[1];
    return group === '*' || (group !== undefined && this.#names.has(group));
  }

  /** Why `permission` is refused: its form, or a group no route declares; undefined when it is fine. */
  problem(permission: string): string | undefined {
    if (!isPermission(permission)) return 'must look like pismo-v1:<group>:rw|ro';
    if (!this.knows(permission)) return `names no permission group of Lastro (groups: *, ${this.names().join(', ')})`;
    return undefined;
  }
}

/** True when `perms` grant `group` for reading (`write` false) or writing. `*` is every group. */
export function allows(perms: string[], group: string, write: boolean): boolean {
  return perms.some((p) => {
    const m = PERMISSION.exec(p);
    if (!m || (m[1] !== '*' && m[1] !== group)) return false;
    return write ? m[2] === 'rw' : true;
  });
}
