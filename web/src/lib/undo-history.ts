/**
 * The states of something being drawn, newest last, with a step back (復原 / 刪除上一點) and a
 * step forward again (重做). A new state after a step back drops the steps that were undone, as
 * every editor does.
 */
export class UndoHistory<T> {
  private states: T[];
  private at = 0;

  constructor(first: T) {
    this.states = [first];
  }

  get current(): T { return this.states[this.at]!; }
  get canUndo(): boolean { return this.at > 0; }
  get canRedo(): boolean { return this.at < this.states.length - 1; }

  push(state: T): void {
    this.states = [...this.states.slice(0, this.at + 1), state];
    this.at = this.states.length - 1;
  }

  /** Steps back; the state now current. */
  undo(): T {
    if (this.canUndo) this.at -= 1;
    return this.current;
  }

  redo(): T {
    if (this.canRedo) this.at += 1;
    return this.current;
  }
}
