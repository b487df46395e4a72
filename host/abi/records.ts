/**
 * Building and reading the JS objects of records, unrolled for small field
 * counts. A loop `o[keys[i]] = ...` is one property-access site that sees
 * every key, so V8 treats it as megamorphic (a slow, generic lookup per
 * field); with one site per field each access stays monomorphic. Above
 * UNROLLED fields the loop is used. No code is generated at runtime: these
 * are plain closures over the keys.
 *
 * The cases are written out rather than made by one small factory (say, a
 * closure per field chained to the next): closures from one function
 * literal share their property-access feedback, so such a factory makes
 * every record's field stores one megamorphic site again. Measured on Node
 * 20, a chained factory built an 8-field record about 45% slower (99 ns vs
 * 68 ns) and a mix of 30 record shapes about 35% slower.
 *
 * `X` is where a field's value comes from or goes to: the flat value array
 * (flat lifting/lowering) or a memory address (load/store); each field's
 * closure already knows its own position or offset.
 */
import type { LiftLowerContext } from './context.ts';
import { keepShape } from '../shape-anchors.ts';

export type FieldLift<X> = (cx: LiftLowerContext, x: X) => unknown;
export type FieldLower<X> = (cx: LiftLowerContext, v: unknown, x: X) => void;

/** Records with at most this many fields get one access site per field. */
export const UNROLLED = 8;

/**
 * Record constructors, one per sequence of JS keys, with one object of
 * each kept for the life of the process (shape-anchors.ts `keepShape`).
 * V8 holds map transitions weakly: once a full GC found no record of a
 * type alive (records are usually dropped right after a call), it freed
 * the hidden classes the fields went through and deoptimised every
 * function compiled against them ("weak objects": the builder and each
 * caller that read a field of the result), and the next call made them
 * again and ran unoptimised until V8 compiled it again. The kept object's
 * class holds every class before it (back pointers). Per key sequence,
 * not per record type: hidden classes are about keys only, and the kept
 * object's fields hold `undefined`, so every field's representation is a
 * tagged pointer from the start and records of other field types under
 * the same keys (a float, a bigint, a string) store into the same classes
 * without generalising or deprecating them; a float stored goes in as the
 * number itself, where a field first given a double gets a box of its own
 * that each new object copies the value into. A load of the same component
 * again makes no class. Bounded by MAX_RECORD_SHAPES distinct sequences;
 * beyond them a record type gets a constructor of its own, kept by nothing
 * but its builder (its classes are then made again after a GC, as before).
 */
const constructors = new Map<string, new () => Record<string, unknown>>();

/** Key sequences `constructors` keeps, at most (a few hundred bytes each). */
const MAX_RECORD_SHAPES = 4096;

/**
 * The constructor of record objects with fields `keys`: plain objects
 * (prototype Object.prototype, so `constructor` is Object) with room for the
 * fields inside the object. A `{}` literal has four in-object slots, so the
 * fifth field allocated a property array and the seventh grew it again; the
 * constructor's objects start with room for at least eight (V8's slack
 * tracking then shrinks it to the fields the record has). One per key
 * sequence (see `constructors`): slack tracking is per constructor.
 */
function recordConstructor(keys: readonly string[]): new () => Record<string, unknown> {
  const id = JSON.stringify(keys);
  const known = constructors.get(id);
  if (known !== undefined) return known;
  const RecordObject = function (this: Record<string, unknown>) {} as unknown as new () => Record<string, unknown>;
  RecordObject.prototype = Object.prototype;
  if (constructors.size < MAX_RECORD_SHAPES) {
    const o = new RecordObject();
    for (const k of keys) o[k] = undefined;
    keepShape(o);
    constructors.set(id, RecordObject);
  }
  return RecordObject;
}

/**
 * A closure that builds a record object with fields `keys` (in order) from `lifts`.
 * Up to eight fields, every field is lifted, in order, before the object is
 * allocated: a lift may allocate (a HeapNumber, a BigInt, a string), and an allocation between
 * `new Obj()` and a store makes V8 keep the store's write-barrier check and map writes; with the
 * object allocated last its stores follow it directly (shape.bounds(): 214 -> 165 instructions
 * per call in this builder). A field that throws leaves no half-built object either way.
 */
export function recordBuilder<X>(keys: readonly string[], lifts: readonly FieldLift<X>[]): (cx: LiftLowerContext, x: X) => Record<string, unknown> {
  const n = keys.length;
  const [k0, k1, k2, k3, k4, k5, k6, k7] = keys as string[];
  const [l0, l1, l2, l3, l4, l5, l6, l7] = lifts as FieldLift<X>[];
  const Obj = recordConstructor(keys);
  switch (n) {
    case 0:
      return () => ({});
    case 1:
      return (cx, x) => {
        const v0 = l0!(cx, x);
        const o: Record<string, unknown> = new Obj();
        o[k0!] = v0;
        return o;
      };
    case 2:
      return (cx, x) => {
        const v0 = l0!(cx, x);
        const v1 = l1!(cx, x);
        const o: Record<string, unknown> = new Obj();
        o[k0!] = v0;
        o[k1!] = v1;
        return o;
      };
    case 3:
      return (cx, x) => {
        const v0 = l0!(cx, x);
        const v1 = l1!(cx, x);
        const v2 = l2!(cx, x);
        const o: Record<string, unknown> = new Obj();
        o[k0!] = v0;
        o[k1!] = v1;
        o[k2!] = v2;
        return o;
      };
    case 4:
      return (cx, x) => {
        const v0 = l0!(cx, x);
        const v1 = l1!(cx, x);
        const v2 = l2!(cx, x);
        const v3 = l3!(cx, x);
        const o: Record<string, unknown> = new Obj();
        o[k0!] = v0;
        o[k1!] = v1;
        o[k2!] = v2;
        o[k3!] = v3;
        return o;
      };
    case 5:
      return (cx, x) => {
        const v0 = l0!(cx, x);
        const v1 = l1!(cx, x);
        const v2 = l2!(cx, x);
        const v3 = l3!(cx, x);
        const v4 = l4!(cx, x);
        const o: Record<string, unknown> = new Obj();
        o[k0!] = v0;
        o[k1!] = v1;
        o[k2!] = v2;
        o[k3!] = v3;
        o[k4!] = v4;
        return o;
      };
    case 6:
      return (cx, x) => {
        const v0 = l0!(cx, x);
        const v1 = l1!(cx, x);
        const v2 = l2!(cx, x);
        const v3 = l3!(cx, x);
        const v4 = l4!(cx, x);
        const v5 = l5!(cx, x);
        const o: Record<string, unknown> = new Obj();
        o[k0!] = v0;
        o[k1!] = v1;
        o[k2!] = v2;
        o[k3!] = v3;
        o[k4!] = v4;
        o[k5!] = v5;
        return o;
      };
    case 7:
      return (cx, x) => {
        const v0 = l0!(cx, x);
        const v1 = l1!(cx, x);
        const v2 = l2!(cx, x);
        const v3 = l3!(cx, x);
        const v4 = l4!(cx, x);
        const v5 = l5!(cx, x);
        const v6 = l6!(cx, x);
        const o: Record<string, unknown> = new Obj();
        o[k0!] = v0;
        o[k1!] = v1;
        o[k2!] = v2;
        o[k3!] = v3;
        o[k4!] = v4;
        o[k5!] = v5;
        o[k6!] = v6;
        return o;
      };
    case 8:
      return (cx, x) => {
        const v0 = l0!(cx, x);
        const v1 = l1!(cx, x);
        const v2 = l2!(cx, x);
        const v3 = l3!(cx, x);
        const v4 = l4!(cx, x);
        const v5 = l5!(cx, x);
        const v6 = l6!(cx, x);
        const v7 = l7!(cx, x);
        const o: Record<string, unknown> = new Obj();
        o[k0!] = v0;
        o[k1!] = v1;
        o[k2!] = v2;
        o[k3!] = v3;
        o[k4!] = v4;
        o[k5!] = v5;
        o[k6!] = v6;
        o[k7!] = v7;
        return o;
      };
    default:
      return (cx, x) => {
        const o: Record<string, unknown> = new Obj();
        for (let i = 0; i < n; i++) o[keys[i]!] = lifts[i]!(cx, x);
        return o;
      };
  }
}

/**
 * A closure that reads the fields `keys` of a record object (already checked
 * to be an object) in order and hands each to its `lowers` entry.
 */
export function recordVisitor<X>(keys: readonly string[], lowers: readonly FieldLower<X>[]): (cx: LiftLowerContext, v: Record<string, unknown>, x: X) => void {
  const n = keys.length;
  const [k0, k1, k2, k3, k4, k5, k6, k7] = keys as string[];
  const [l0, l1, l2, l3, l4, l5, l6, l7] = lowers as FieldLower<X>[];
  switch (n) {
    case 0:
      return () => {};
    case 1:
      return (cx, v, x) => {
        l0!(cx, v[k0!], x);
      };
    case 2:
      return (cx, v, x) => {
        l0!(cx, v[k0!], x);
        l1!(cx, v[k1!], x);
      };
    case 3:
      return (cx, v, x) => {
        l0!(cx, v[k0!], x);
        l1!(cx, v[k1!], x);
        l2!(cx, v[k2!], x);
      };
    case 4:
      return (cx, v, x) => {
        l0!(cx, v[k0!], x);
        l1!(cx, v[k1!], x);
        l2!(cx, v[k2!], x);
        l3!(cx, v[k3!], x);
      };
    case 5:
      return (cx, v, x) => {
        l0!(cx, v[k0!], x);
        l1!(cx, v[k1!], x);
        l2!(cx, v[k2!], x);
        l3!(cx, v[k3!], x);
        l4!(cx, v[k4!], x);
      };
    case 6:
      return (cx, v, x) => {
        l0!(cx, v[k0!], x);
        l1!(cx, v[k1!], x);
        l2!(cx, v[k2!], x);
        l3!(cx, v[k3!], x);
        l4!(cx, v[k4!], x);
        l5!(cx, v[k5!], x);
      };
    case 7:
      return (cx, v, x) => {
        l0!(cx, v[k0!], x);
        l1!(cx, v[k1!], x);
        l2!(cx, v[k2!], x);
        l3!(cx, v[k3!], x);
        l4!(cx, v[k4!], x);
        l5!(cx, v[k5!], x);
        l6!(cx, v[k6!], x);
      };
    case 8:
      return (cx, v, x) => {
        l0!(cx, v[k0!], x);
        l1!(cx, v[k1!], x);
        l2!(cx, v[k2!], x);
        l3!(cx, v[k3!], x);
        l4!(cx, v[k4!], x);
        l5!(cx, v[k5!], x);
        l6!(cx, v[k6!], x);
        l7!(cx, v[k7!], x);
      };
    default:
      return (cx, v, x) => {
        for (let i = 0; i < n; i++) lowers[i]!(cx, v[keys[i]!], x);
      };
  }
}
