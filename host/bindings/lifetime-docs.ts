/**
 * Doc-comment sentences from a function's rdylib:abi entry (docs/abi.md
 * §3.3): what a returned handle borrows and how, what is library-static,
 * which parameters are moved into the plugin or borrowed exclusively. The
 * host enforces all of it at run time (BorrowError); the comments let a
 * reader of the types know before the call.
 */
import type { AbiFunction, HandleBorrow, ResultHandle } from '../rdylib/section.ts';
import type { ComponentDecl, FunctionDecl } from './model.ts';
import { camel, paramName, pascal } from './names.ts';

/** How a parameter is named in a sentence: `self` is the object the method is called on. */
function subject(name: string, receiverClass: string | undefined): string {
  return name === 'self' && receiverClass !== undefined ? `this \`${receiverClass}\`` : `\`${paramName(name)}\``;
}

function borrowSentence(b: HandleBorrow, receiverClass: string | undefined): string {
  const who = subject(b.name, receiverClass);
  return b.mode === 'shared'
    ? `borrows ${who} shared (\`&\`): while it lives, ${who} can only be read (calls that need \`&mut\`, and disposing it, throw BorrowError)`
    : `borrows ${who} exclusively (\`&mut\`): while it lives, ${who} cannot be used at all (any call on it, and disposing it, throws BorrowError)`;
}

function resultSubject(h: ResultHandle): string {
  const name = `\`${pascal(h.resource)}\``;
  const where = h.path.join('/');
  if (where === '') return `The returned ${name}`;
  if (where === 'some') return `The returned ${name} (when there is one)`;
  if (where === 'ok') return `The returned ${name}`;
  return `The ${name} at \`${where}\` of the result`;
}

/** Sentences for an exported function, method, static or constructor; `receiverClass` names the class of `self`. */
export function lifetimeNotes(abi: AbiFunction | undefined, receiverClass: string | undefined, direction: 'export' | 'import'): string[] {
  if (abi === undefined) return [];
  const notes: string[] = [];
  if (direction === 'import') {
    if (abi.receiver === 'exclusive') notes.push('The plugin calls this with exclusive access (`&mut self`): it holds no other borrow of the object during the call.');
    return notes;
  }
  for (const p of abi.params) {
    const who = subject(p.name, receiverClass);
    const inside = p.path.length === 0 ? '' : ` (the handles at \`${p.path.join('/')}\`)`;
    if (p.mode === 'consume') notes.push(`Moves ${who}${inside} into the plugin: it cannot be used afterwards; refused while anything borrows it.`);
    else if (p.mode === 'exclusive') notes.push(`Borrows ${who} exclusively (\`&mut\`) for the call: refused (BorrowError) while anything borrows it.`);
  }
  for (const i of abi.staticParams) {
    const name = abi.params.find((p) => p.param === i)?.name;
    if (name !== undefined) notes.push(`${subject(name, receiverClass).replace(/^./, (c) => c.toUpperCase())} must be a library-static handle (\`&'static\`).`);
  }
  for (const h of abi.results) {
    if (h.lifetime === 'dependent') {
      notes.push(`${resultSubject(h)} ${h.borrows.map((b) => borrowSentence(b, receiverClass)).join('; and ')}. Dispose it to end the borrow.`);
    } else if (h.lifetime === 'static') {
      notes.push(`${resultSubject(h)} is library-static: valid until the plugin is unloaded; only \`&self\` methods may be called on it; disposing it frees nothing.`);
    }
  }
  return notes;
}

/**
 * For a dependent resource: the functions that make its handles, each with
 * what it borrows (`Store.iter()` borrows `self` shared), for the class's doc.
 */
export function madeBy(decl: ComponentDecl, resource: string, iface: string | undefined): string[] {
  const out: string[] = [];
  for (const scope of decl.scopes) {
    if (scope.name !== iface || scope.direction !== 'export') continue;
    const all: { fn: FunctionDecl; owner: string | undefined }[] = [
      ...scope.functions.map((fn) => ({ fn, owner: undefined })),
      ...scope.resources.flatMap((r) => [...r.methods, ...r.statics].map((fn) => ({ fn, owner: pascal(r.name) }))),
    ];
    for (const { fn, owner } of all) {
      for (const h of fn.abi?.results ?? []) {
        if (h.lifetime !== 'dependent' || h.resource !== resource) continue;
        const what = h.borrows.map((b) => `${b.name === 'self' ? 'the object it is called on' : `\`${paramName(b.name)}\``} ${b.mode === 'shared' ? 'shared' : 'exclusively'}`).join(' and ');
        out.push(`\`${owner === undefined ? '' : `${owner}.`}${camel(fn.member)}()\` borrows ${what}`);
      }
    }
  }
  return out;
}
