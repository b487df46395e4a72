/**
 * The ownership model of a plugin's resources, one for every route a handle
 * takes (JS, a host callback, another plugin linked to this one): Rust's
 * borrow rules kept by the resource's owner.
 *
 * A resource is identified by its owner (the GuestClassBinding of its type,
 * one per resource type per instantiation) and its `rep`, which stays the
 * same wherever its handles travel: into JS as an object, into another
 * plugin's handle table, back out as a new object. So the state that must
 * survive those routes lives in a `HandleRecord` the owner keeps per rep
 * (guest-resources.ts), made when a handle first takes part in a borrow or
 * is found library-static, and dropped when the resource is destroyed.
 *
 * A record holds the loans on it: a *dependent* handle borrowing it (a
 * result that borrows a parameter, docs/abi.md §3.3, until that handle is
 * destroyed), or a *call in progress* it was lent to (`&self`, `&R`, until
 * the call returns). The rules, checked before anything changes:
 *
 * | use of a handle              | refused while it has                          |
 * | ---------------------------- | --------------------------------------------- |
 * | shared (`&self`, `&R`)       | an exclusive loan                             |
 * | exclusive (`&mut self`)      | any loan; or it is library-static             |
 * | consume (`self`, `R`), move  | any loan; or it is library-static             |
 * | drop (`[Symbol.dispose]`)    | any loan, unless it is library-static (the data outlives it, as in Rust) |
 *
 * and within one call the same resource may appear several times only if
 * every use is shared (`checkUses`, the one same-handle check).
 */
import { BorrowError } from '../errors.ts';

export type BorrowMode = 'shared' | 'exclusive';

/** How a call uses a handle. */
export type HandleAccess = 'shared' | 'exclusive' | 'consume';

/** Whoever holds a loan: a dependent handle's record, or a call in progress. */
export interface Borrower {
  /** For messages: `iter #4`, `` `[method]shape.render` (in progress) ``. */
  readonly label: string;
}

export interface Loan {
  readonly borrower: Borrower;
  readonly mode: BorrowMode;
  /**
   * For a loan to a call in progress: the instance the call runs in. That
   * call may pass the handle on (a reborrow, `c.scale()` inside
   * `grow(c: &mut Shape)`): uses through the handle it was lent do not
   * conflict with its own loan.
   */
  readonly holder?: object;
}

export class HandleRecord implements Borrower {
  /** The loans on this handle, oldest first. */
  readonly loans: Loan[] = [];
  /** The records this handle borrows from (it is a dependent of each). */
  readonly parents: HandleRecord[] = [];
  /** Library-static data (`&'static R` result): shared access only, dropping it frees nothing. */
  isStatic = false;
  /**
   * Set when its owner drops it (the resource was destroyed, or its plugin unloaded): a later
   * record for the same rep is another resource's. Handles that kept this one look again.
   */
  retired = false;

  constructor(
    /** Unique within the owning plugin; the number in messages and in `plugin.handles()`. */
    readonly id: number,
    /** The resource type's name. */
    readonly resource: string,
  ) {}

  get label(): string {
    return `${this.resource} #${this.id}`;
  }
}

/** One handle a call is about to use, as the call plan found it in the arguments. */
export interface HandleUse {
  /** The resource's owner and rep: equal pairs are the same resource, whatever JS objects stand for it. */
  readonly owner: object;
  readonly rep: number;
  /** Its record, when it has one (a handle with none has no loans and is not static). */
  readonly record: HandleRecord | undefined;
  /** For messages: the resource type's name. */
  readonly resource: string;
  readonly access: HandleAccess;
  /** What the handle is to the call, for messages: `self`, a parameter name and path. */
  readonly role: string;
  /** When the JS value is a handle lent to JS by a call: the instance of that call. */
  readonly via: object | undefined;
}

/**
 * Throws BorrowError, before the call enters any plugin, when a use breaks
 * the rules above, alone or together with another use in the same call.
 */
export function checkUses(callee: string, uses: readonly HandleUse[]): void {
  for (let i = 0; i < uses.length; i++) {
    const use = uses[i]!;
    checkUse(callee, use);
    for (let j = i + 1; j < uses.length; j++) {
      const other = uses[j]!;
      if (other.owner !== use.owner || other.rep !== use.rep) continue;
      if (use.access === 'shared' && other.access === 'shared') continue;
      throw new BorrowError(
        `\`${callee}\`: cannot pass the same ${use.resource} as ${use.role} (${use.access}) and as ${other.role} (${other.access}): ` +
          'a handle used exclusively or by value may appear only once in a call',
      );
    }
  }
}

/**
 * Whether `checkUse` refuses a use with `access` through a handle lent by a call in `via` on `r`: a
 * library-static handle used other than shared, or a loan in the way. For shortcuts that skip
 * `checkUse` when it would pass (host/rdylib/call-plan.ts), so the rule is stated once.
 */
export function refusesUse(r: HandleRecord, access: HandleAccess, via: object | undefined): boolean {
  return (r.isStatic && access !== 'shared') || (r.loans.length > 0 && isBlocked(r.loans, access, via));
}

/** The rules on one use alone (`checkUses` is this for each use, plus the same-handle check between them). */
export function checkUse(callee: string, use: HandleUse): void {
  const r = use.record;
  if (r === undefined) return;
  if (r.isStatic && use.access !== 'shared') {
    const what = use.access === 'exclusive' ? `borrow a library-static ${use.resource} mutably` : `move a library-static ${use.resource}`;
    throw new BorrowError(`\`${callee}\`: cannot ${what} (${use.role}): 'static handles allow only shared access`);
  }
  if (r.loans.length > 0 && isBlocked(r.loans, use.access, use.via)) {
    const blocking = r.loans.filter((l) => blocks(l, use.access, use.via));
    throw new BorrowError(
      `cannot ${verb(use.access)} ${r.label} (${use.role} of \`${callee}\`): it is borrowed by ${describeLoans(blocking)}; ` +
        `drop ${blocking.length === 1 ? 'it' : 'them'} first`,
    );
  }
}

/**
 * Whether `loan` stands in the way of a use with `access` through a handle lent to JS by a call in `via`: any loan
 * of a use that needs more than shared access, else an exclusive one; never the call's own reborrow.
 */
function blocks(loan: Loan, access: HandleAccess, via: object | undefined): boolean {
  return (access !== 'shared' || loan.mode === 'exclusive') && (loan.holder === undefined || loan.holder !== via);
}

/** `loans.some(blocks)`, without a closure or a HandleUse per call (this runs before every call that uses a handle). */
function isBlocked(loans: readonly Loan[], access: HandleAccess, via: object | undefined): boolean {
  for (let i = 0; i < loans.length; i++) if (blocks(loans[i]!, access, via)) return true;
  return false;
}

/**
 * Throws BorrowError when the handle of `record` cannot be dropped or moved now. Runs on every
 * dispose and move: the refusal is out of line so callers stay small enough for V8 to inline.
 */
export function checkDrop(record: HandleRecord | undefined, what: 'drop' | 'move'): void {
  if (record !== undefined && record.loans.length !== 0) refuseDrop(record, what);
}

function refuseDrop(record: HandleRecord, what: 'drop' | 'move'): void {
  // The data of a library-static handle outlives the handle: a view may keep borrowing it (Rust allows it).
  if (what === 'drop' && record.isStatic) return;
  throw new BorrowError(
    `cannot ${what} ${record.label}: it is still borrowed by ${describeLoans(record.loans)}; drop ${record.loans.length === 1 ? 'it' : 'them'} first`,
  );
}

/** Records, after a successful call, that `dependent` borrows each of `parents`. */
export function lend(dependent: HandleRecord, parents: readonly { readonly parent: HandleRecord; readonly mode: BorrowMode }[]): void {
  for (const { parent, mode } of parents) {
    parent.loans.push({ borrower: dependent, mode });
    dependent.parents.push(parent);
  }
}

/** The resource of `record` is gone (destroyed, or its plugin unloaded): the borrows it held end, and it is retired. */
export function release(record: HandleRecord): void {
  for (const parent of record.parents) removeLoans(parent, record);
  record.parents.length = 0;
  record.retired = true;
}

/** Lends each used handle that has a record to `call`, running in `holder`, for its duration (shared or exclusive uses). */
export function lendToCall(call: Borrower, holder: object | undefined, uses: readonly HandleUse[]): void {
  for (const u of uses) {
    if (u.record !== undefined && u.access !== 'consume') u.record.loans.push({ borrower: call, mode: u.access, holder });
  }
}

/** The call returned (or failed): its loans end. */
export function endCall(call: Borrower, uses: readonly HandleUse[]): void {
  for (const u of uses) if (u.record !== undefined) removeLoans(u.record, call);
}

/**
 * One loan made by `lendToCall`'s single-handle shortcut (host/rdylib/call-plan.ts) ends: one entry of
 * that loan object, whoever else borrows. The shortcut lends all calls of a plan the same object, so
 * calls of it nested on one handle hold equal entries, and each call ends one.
 */
export function endLoan(on: HandleRecord, loan: Loan): void {
  const loans = on.loans;
  if (loans[loans.length - 1] === loan) loans.pop();
  else {
    const i = loans.indexOf(loan);
    if (i >= 0) loans.splice(i, 1);
  }
}

function removeLoans(on: HandleRecord, borrower: Borrower): void {
  const loans = on.loans;
  // Loans end in the reverse order they were made (calls nest), so the newest is
  // usually the one: pop it, which is far cheaper than a splice.
  while (loans.length > 0 && loans[loans.length - 1]!.borrower === borrower) loans.pop();
  for (let i = loans.length - 1; i >= 0; i--) if (loans[i]!.borrower === borrower) loans.splice(i, 1);
}

function verb(access: HandleAccess): string {
  switch (access) {
    case 'shared':
      return 'borrow';
    case 'exclusive':
      return 'borrow mutably';
    case 'consume':
      return 'move';
  }
}

function describeLoans(loans: readonly Loan[]): string {
  return loans.map((l) => `${l.borrower.label} (${l.mode})`).join(', ');
}
