/**
 * Accessors over the parsed tree (`XNode`). Names are matched by folded local name (names.ts): any prefix,
 * any case, known misspellings included, so `child(n, 'callId')` finds `<xsi:callld>`.
 */
import { localName } from './names.js';
import type { XNode } from './parse.js';

/** The first direct child with one of these names (tried in the order given). */
export function child(node: XNode | undefined, ...names: string[]): XNode | undefined {
  if (!node) return undefined;
  for (const name of names) {
    const key = localName(name);
    const hit = node.children.find((c) => c.name === key);
    if (hit) return hit;
  }
  return undefined;
}

/** Every direct child with that name. */
export function childrenNamed(node: XNode | undefined, name: string): XNode[] {
  if (!node) return [];
  const key = localName(name);
  return node.children.filter((c) => c.name === key);
}

function findKey(node: XNode, key: string, skip: readonly string[]): XNode | undefined {
  for (const c of node.children) {
    if (c.name === key) return c;
    if (skip.includes(c.name)) continue;
    const hit = findKey(c, key, skip);
    if (hit) return hit;
  }
  return undefined;
}

/**
 * Depth-first search, in document order, for the first descendant named `name`, not descending into
 * elements named in `skip` (folded local names).
 */
export function find(node: XNode | undefined, name: string, skip: readonly string[] = []): XNode | undefined {
  return node ? findKey(node, localName(name), skip) : undefined;
}

function findAllKey(node: XNode, key: string, out: XNode[]): XNode[] {
  for (const c of node.children) {
    if (c.name === key) out.push(c);
    else findAllKey(c, key, out);
  }
  return out;
}

/** Every descendant named `name` that is not inside another one. */
export function findAll(node: XNode | undefined, name: string): XNode[] {
  return node ? findAllKey(node, localName(name), []) : [];
}

function lookupKeys(node: XNode, keys: string[]): XNode | undefined {
  for (const key of keys) {
    const hit = node.children.find((c) => c.name === key);
    if (hit) return hit;
  }
  for (const c of node.children) {
    const hit = lookupKeys(c, keys);
    if (hit) return hit;
  }
  return undefined;
}

/**
 * The nearest element with one of these names: a direct child first (names tried in order), else the
 * same search in each child, in document order.
 */
export function lookup(node: XNode | undefined, ...names: string[]): XNode | undefined {
  return node ? lookupKeys(node, names.map(localName)) : undefined;
}

/** Text of an element; `''` for an empty element, undefined for a missing one. */
export function text(node: XNode | undefined): string | undefined {
  return node?.text;
}

/** Text of the first direct child with one of these names (see `child`). */
export function childText(node: XNode | undefined, ...names: string[]): string | undefined {
  return child(node, ...names)?.text;
}

/** Text of a direct child, else of the first descendant with that name. Empty strings become undefined. */
export function textOf(
  node: XNode | undefined,
  name: string,
  skip: readonly string[] = [],
): string | undefined {
  const c = child(node, name) ?? find(node, name, skip);
  const t = c?.text;
  return t ? t : undefined;
}

/** `textOf` as a finite number. */
export function intOf(
  node: XNode | undefined,
  name: string,
  skip: readonly string[] = [],
): number | undefined {
  const t = textOf(node, name, skip);
  if (t === undefined) return undefined;
  const v = Number(t);
  return Number.isFinite(v) ? v : undefined;
}

/** `true`/`false` text, or an EmptyContent flag (present = true). */
export function flagOf(node: XNode | undefined, name: string): boolean | undefined {
  const c = child(node, name) ?? find(node, name);
  if (!c) return undefined;
  const t = c.text.toLowerCase();
  if (t === 'false' || t === '0') return false;
  return true;
}

/** An xsd:boolean value ("true"/"1", "false"/"0"); undefined for anything else. */
export function bool(v: string | undefined): boolean | undefined {
  if (v === undefined) return undefined;
  const s = v.trim().toLowerCase();
  if (s === 'true' || s === '1') return true;
  if (s === 'false' || s === '0') return false;
  return undefined;
}

/** Attribute by name (any prefix, any case). */
export function attr(node: XNode | undefined, name: string): string | undefined {
  return node?.attrs[localName(name)];
}

/** The element name as on the wire, without its prefix (original case, no folding). */
export function wireName(node: XNode): string {
  const i = node.raw.indexOf(':');
  return i >= 0 ? node.raw.slice(i + 1) : node.raw;
}

/** A plain-object view of a subtree (used for raw command results). Repeated names become arrays. */
export function toPlain(node: XNode): unknown {
  if (node.children.length === 0) return node.text;
  const out: Record<string, unknown> = {};
  for (const c of node.children) {
    const key = wireName(c);
    const v = toPlain(c);
    const prev = out[key];
    if (prev === undefined) out[key] = v;
    else if (Array.isArray(prev)) prev.push(v);
    else out[key] = [prev, v];
  }
  return out;
}
