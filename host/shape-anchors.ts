/**
 * Objects kept for the life of the process so that V8 keeps their hidden
 * classes. V8 gives an object the hidden class (map) reached by adding its
 * fields in order from its constructor's initial map, and holds those
 * transitions weakly: once a full GC finds no live object of a class, the
 * next object built the same way makes the class again, which right after
 * a GC costs microseconds per class (Node 20, after `gc()`: constructing an
 * object of a 9-field class took 34-45 us while none was alive, 6-9 us
 * while one was). Every warm load makes objects that unload lets go of
 * (a resource type per resource definition, a lifted function per `canon
 * lift`), so each load after a GC (as the bench measures them) made their
 * classes again. One object of each kind, built as a load builds them,
 * keeps them; a field that later holds another kind of value generalises
 * the shared class in place.
 */

const kept: object[] = [];

/** Keeps `o` (so its hidden class) alive for the life of the process; returns it. */
export function keepShape<T extends object>(o: T): T {
  kept.push(o);
  return o;
}
