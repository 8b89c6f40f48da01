/**
 * Reading a request's `args` with the faults an invalid request gets (L417): a missing or mistyped
 * required field is a `RequestFault` naming it.
 */
import type { XmlNode } from '../wire/xml.js';
import { boolOf, intOf, listOf } from '../wire/values.js';
import { enumName } from '../wire/enums.js';
import { RequestFault } from './context.js';

/**
 * @example
 * const a = new Args(params);
 * a.int('AgentId'); // throws RequestFault('AgentId is required (int)') when absent
 */
export class Args {
  constructor(readonly node: XmlNode) {}

  has(name: string): boolean {
    const c = this.node.children.find((x) => x.name === name);
    return !!c && c.attrs.nil !== 'true' && (c.text !== '' || c.children.length > 0);
  }

  int(name: string): number {
    const v = intOf(this.node, name);
    if (v === undefined) throw new RequestFault(`${name} is required (int)`);
    return v;
  }

  optInt(name: string): number | undefined {
    return intOf(this.node, name);
  }

  str(name: string): string {
    const c = this.node.children.find((x) => x.name === name);
    if (!c || c.attrs.nil === 'true' || !c.text) throw new RequestFault(`${name} is required (string)`);
    return c.text;
  }

  optStr(name: string): string | undefined {
    const c = this.node.children.find((x) => x.name === name);
    return c && c.attrs.nil !== 'true' ? c.text : undefined;
  }

  bool(name: string, fallback?: boolean): boolean {
    const v = boolOf(this.node, name) ?? fallback;
    if (v === undefined) throw new RequestFault(`${name} is required (bool)`);
    return v;
  }

  list(name: string): string[] | undefined {
    return listOf(this.node, name);
  }

  /** An enum member by name (or ordinal, `offset` = ordinal of the first member). */
  enum<T extends string>(name: string, members: readonly T[], offset = 1): T {
    const v = enumName(members, this.optStr(name), offset);
    if (v === undefined) throw new RequestFault(`${name} must be one of ${members.join(', ')}`);
    return v;
  }
}
