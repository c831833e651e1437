/** The last value computed from some inputs, kept while the inputs stay the same objects:
 * layers then keep their data, and deck.gl uploads nothing again. */
export class Memo<T> {
  private inputs: readonly unknown[] | null = null;
  private value: T | undefined;

  get(inputs: readonly unknown[], compute: () => T): T {
    const same =
      this.inputs !== null &&
      this.inputs.length === inputs.length &&
      this.inputs.every((x, i) => x === inputs[i]);
    if (!same) {
      this.inputs = inputs;
      this.value = compute();
    }
    return this.value as T;
  }
}
