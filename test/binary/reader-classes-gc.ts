/**
 * Run as `node --expose-gc --allow-natives-syntax --import tsx test/binary/reader-classes-gc.ts`
 * (reader-classes.test.ts does): prints, as JSON, whether LEB128 values read from more than one
 * byte are small integers, whether Readers made from such values keep the class of a Reader
 * of plain bytes, and whether code that read through such Readers stays optimised after full GCs
 * that found no Reader of its own alive (only the one reader.ts keeps). A heap number stored as a Reader's offset or end changes those fields'
 * representation, which gives Readers a new class that only dying Readers hold; a full GC then
 * frees it and V8 throws away the code compiled against it ("weak objects").
 */
import { Reader } from '../../host/binary/reader.ts';
import { gc, haveSameMap as sameMap, isOptimised, isSmi, optimizeOnNextCall, prepareForOptimization as prepare } from '../support/v8-natives.ts';

/** A sized item of 200 bytes: its length takes two LEB128 bytes (0xc8 0x01), then one more u32 inside. */
function sizedItem(): Uint8Array {
  const bytes = new Uint8Array(2 + 200);
  bytes.set([0xc8, 0x01, 0x85, 0x03]);
  return bytes;
}

// The readers get the Reader as an argument, so the compiled code checks its class.
function readInner(r: Reader): number {
  return r.u32('inner') + r.offset + r.end;
}
/** The item's Reader, made as a parse makes one: `sub` of a length read with `u32`. */
function subOf(): Reader {
  const outer = new Reader(sizedItem());
  return outer.sub(outer.u32('item size'), 'item');
}

const values = {
  u32: isSmi(new Reader(Uint8Array.of(0xc8, 0x01)).u32('two bytes')),
  u32FiveBytes: isSmi(new Reader(Uint8Array.of(0x80, 0x80, 0x80, 0x80, 0x01)).u32('five bytes')),
  s33Positive: isSmi(new Reader(Uint8Array.of(0xc8, 0x01)).s33('two bytes')),
  s33Negative: isSmi(new Reader(Uint8Array.of(0xc0, 0x7f)).s33('two bytes')),
};
// In a function, so that no Reader made here is alive at the GCs below: the only Reader left
// then is the one reader.ts keeps, and the code below stays optimised only because of it.
function classesOf(sub: Reader) {
  const plain = new Reader(new Uint8Array(0));
  return { sameAsPlain: sameMap(plain, sub), offsetIsSmi: isSmi(sub.offset), endIsSmi: isSmi(sub.end) };
}
const classes = classesOf(subOf());

function optimise(): boolean {
  prepare(readInner);
  for (let i = 0; i < 1000; i++) readInner(subOf());
  optimizeOnNextCall(readInner);
  readInner(subOf());
  return isOptimised(readInner);
}
const before = optimise();
// A timer turn between the GCs, as between two loads: nothing of the last call is left on the stack.
gc();
await new Promise((resolve) => setTimeout(resolve, 0));
gc();
const after = isOptimised(readInner);

console.log(JSON.stringify({ values, classes, reader: { before, after }, value: readInner(subOf()) }));
