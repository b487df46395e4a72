/**
 * Run as `node --expose-gc --allow-natives-syntax --import tsx test/runtime/guest-object-classes-gc.ts`
 * (guest-object-classes.test.ts does): prints, as JSON, whether every resource object the host
 * makes of one class (owned by JS, lent to JS, and the binding's map anchor) has one hidden class,
 * whether each gets its own state, and whether code that reads objects of the class stays optimised
 * after full GCs that found none of them alive but the anchor. The state is handed to the object
 * through `mint` (guest-resources.ts), taken by GuestResource's field initializer: an object made
 * another way (the anchor before the others, a lent one) must still get the same class.
 */
import { ComponentInstance } from '../../host/abi/component-instance.ts';
import { ResourceType } from '../../host/abi/resource-type.ts';
import { GuestClassBinding, handleOf, makeGuestClass } from '../../host/runtime/guest-resources.ts';
import { PluginCell } from '../../host/plugin/plugin-cell.ts';
import { gc, haveSameMap as sameMap, isOptimised, optimizeOnNextCall, prepareForOptimization } from '../support/v8-natives.ts';

const made = makeGuestClass('Cell');
const cell = new PluginCell('guest');
const binding = new GuestClassBinding(new ResourceType('cell', new ComponentInstance('guest'), () => {}), made.cls, cell);
made.setBinding(binding);
binding.keepShapes();
// Another class's objects first, so the field's definition has seen more than one class.
const other = makeGuestClass('Other');
const otherBinding = new GuestClassBinding(new ResourceType('other', new ComponentInstance('other'), () => {}), other.cls, new PluginCell('other'));
otherBinding.keepShapes();
otherBinding.liftOwn(1);

// In a function, so that no object of the class but the anchor is alive at the GCs below.
function classes() {
  const owned = binding.liftOwn(41);
  const lent = binding.liftBorrow(42, new ComponentInstance('caller'));
  const second = binding.liftOwn(43);
  return {
    sameOwnedLent: sameMap(owned, lent),
    sameOwnedSecond: sameMap(owned, second),
    states: [handleOf(owned)?.rep, handleOf(lent)?.rep, handleOf(second)?.rep],
    distinctStates: handleOf(owned) !== handleOf(second),
    otherClass: !sameMap(owned, otherBinding.liftOwn(2)),
  };
}
const report = classes();

// Reads the rep of an object of the class through the state, as the call path does.
function repOf(o: unknown): number {
  return binding.lowerBorrow(o, 'self');
}
function optimise(): boolean {
  prepareForOptimization(repOf);
  for (let i = 0; i < 1000; i++) repOf(binding.liftOwn(i));
  optimizeOnNextCall(repOf);
  repOf(binding.liftOwn(7));
  return isOptimised(repOf);
}
const before = optimise();
for (let i = 0; i < 3; i++) gc();
// A new object after the GCs: made on the class the anchor kept, so the code compiled against it stays.
const value = repOf(binding.liftOwn(389));
const after = isOptimised(repOf);
console.log(JSON.stringify({ ...report, optimised: { before, after }, value }));
