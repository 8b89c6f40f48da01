/**
 * Plain values ↔ DataContractSerializer elements. A field's value becomes one element in the data
 * namespace: strings, numbers and booleans as text (`true`/`false`), `null` as `i:nil="true"`, arrays as
 * one item element each (`b:int` / `b:string` for primitives in the Arrays namespace, the element type
 * name for enums and data classes, see ITEM_NAMES), objects as nested fields. `undefined` is omitted.
 * Members are written in ordinal order, as DataContractSerializer does when no `Order` is given; the
 * reader does not care about order.
 */
import type { XmlNode } from './xml.js';
import { ARRAYS_NS, type CtipsNamespaces } from './ns.js';

/** Item element names of the documented array fields (Appendix A and the Args tables). */
export const ITEM_NAMES: Readonly<Record<string, string>> = {
  TenantIds: 'int',
  TenantId: 'int',
  AgentLoginNameList: 'string',
  UserData: 'string',
  ServiceIds: 'int',
  RequestIdList: 'int',
  AgentIdList: 'int',
  EntityType: 'CTIEntityType',
  AgentCapabilities: 'CTIAgentCapabilities',
  Services: 'CTIServiceInfo',
  ServiceState: 'CTIServiceInfo',
  CallInfo: 'CTICallInfo',
  CallData: 'CTICallDataItem',
};

const PRIMITIVE_ITEMS = new Set(['int', 'string', 'long', 'boolean']);

/** A node in a namespace. */
function node(name: string, ns: string, text = '', children: XmlNode[] = []): XmlNode {
  return { name, ns, attrs: {}, children, text };
}

/**
 * One field as an element.
 *
 * @example
 * valueToNode('ServiceIds', [3], ns); // <a:ServiceIds><b:int>3</b:int></a:ServiceIds>
 */
export function valueToNode(name: string, value: unknown, ns: CtipsNamespaces, itemName?: string): XmlNode {
  if (value === null) return { name, ns: ns.data, attrs: { 'i:nil': 'true' }, children: [], text: '' };
  if (Array.isArray(value)) {
    const item =
      itemName ??
      ITEM_NAMES[name] ??
      (value.every((v) => typeof v === 'number')
        ? 'int'
        : value.every((v) => typeof v === 'string')
          ? 'string'
          : 'anyType');
    const itemNs = PRIMITIVE_ITEMS.has(item) ? ARRAYS_NS : ns.data;
    return node(
      name,
      ns.data,
      '',
      value.map((v) => ({ ...valueToNode(item, v, ns), ns: itemNs })),
    );
  }
  if (typeof value === 'object')
    return node(name, ns.data, '', fieldsToNodes(value as Record<string, unknown>, ns));
  if (typeof value === 'boolean') return node(name, ns.data, value ? 'true' : 'false');
  if (typeof value === 'number' || typeof value === 'bigint') return node(name, ns.data, String(value));
  return node(name, ns.data, String(value as string));
}

/**
 * The fields of an object as elements, in ordinal order, `undefined` skipped.
 *
 * @example
 * fieldsToNodes({ TenantId: 1, SessionId: 's' }, ns).map((n) => n.name); // ['SessionId', 'TenantId']
 */
export function fieldsToNodes(
  fields: Record<string, unknown>,
  ns: CtipsNamespaces,
  first: string[] = [],
): XmlNode[] {
  const keys = Object.keys(fields).filter((k) => fields[k] !== undefined);
  const head = first.filter((k) => keys.includes(k));
  const rest = keys.filter((k) => !head.includes(k)).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return [...head, ...rest].map((k) => valueToNode(k, fields[k], ns));
}

/**
 * An element back to a plain value: `null` for `nil`, arrays for the documented array fields (or
 * elements whose children are all `int`/`string`/`long`/`boolean` items), objects for elements with
 * children, text otherwise. Numbers stay strings (the schema is the caller's business).
 *
 * @example
 * nodeToValue(parseXml('<ServiceIds><int>3</int></ServiceIds>')); // ['3']
 */
export function nodeToValue(n: XmlNode): unknown {
  if (n.attrs.nil === 'true') return null;
  const isArray =
    n.name in ITEM_NAMES
      ? n.children.length > 0 || !n.text
      : n.children.length > 0 && n.children.every((c) => PRIMITIVE_ITEMS.has(c.name));
  if (isArray && n.name in ITEM_NAMES && n.children.length === 0) return [];
  if (isArray) return n.children.map(nodeToValue);
  if (n.children.length === 0) return n.text;
  const out: Record<string, unknown> = {};
  for (const c of n.children) out[c.name] = nodeToValue(c);
  return out;
}

/**
 * The text of a field as an integer; `fallback` when absent, nil or not an integer.
 *
 * @example
 * intOf(args, 'TenantId'); // 1
 */
export function intOf(n: XmlNode | undefined, name: string, fallback?: number): number | undefined {
  const c = n?.children.find((x) => x.name === name);
  if (!c || c.attrs.nil === 'true' || !/^\s*-?\d+\s*$/.test(c.text)) return fallback;
  return Number(c.text);
}

/**
 * The text of a boolean field (`true`/`1` → true, `false`/`0` → false), `undefined` otherwise.
 *
 * @example
 * boolOf(args, 'AcceptCall'); // true
 */
export function boolOf(n: XmlNode | undefined, name: string): boolean | undefined {
  const t = n?.children.find((x) => x.name === name)?.text.trim();
  return t === 'true' || t === '1' ? true : t === 'false' || t === '0' ? false : undefined;
}

/**
 * The items of an array field as strings (also a single text value as a one-item list).
 *
 * @example
 * listOf(args, 'TenantIds'); // ['1']
 */
export function listOf(n: XmlNode | undefined, name: string): string[] | undefined {
  const c = n?.children.find((x) => x.name === name);
  if (!c || c.attrs.nil === 'true') return undefined;
  if (c.children.length) return c.children.map((x) => x.text);
  return c.text ? [c.text] : [];
}
