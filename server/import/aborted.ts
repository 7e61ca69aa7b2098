/** The client went away (or asked to stop) before the import was committed. */
export class ImportAborted extends Error {
  constructor() {
    super('the import was stopped before it was committed; nothing was written');
  }
}
