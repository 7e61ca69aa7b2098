import { h } from './dom.js';

export interface FormDialog {
  dialog: HTMLDialogElement;
  /** Shows a message above the buttons (an empty one hides it). */
  say(message: string): void;
}

/**
 * A modal form: a title, the fields, a message line, 取消 and a submit button. `submit` runs on
 * submit; when it resolves the dialog closes, when it throws the dialog stays open for the
 * caller to have said why (through `say`).
 */
export function openFormDialog(opts: { className: string; title: string; fields: Node[]; submitLabel: string;
  submit: (d: FormDialog) => Promise<void> }): FormDialog {
  const message = h('p', { class: 'form-error', role: 'alert', hidden: true });
  const say = (text: string) => {
    message.textContent = text;
    message.hidden = !text;
  };
  const submit = h('button', { type: 'submit', class: 'primary' }, opts.submitLabel);
  const dialog = h('dialog', { class: opts.className },
    h('form', {
      method: 'dialog',
      onsubmit: async (e: Event) => {
        e.preventDefault();
        // One submission at a time: a second press while the first is on its way would send it twice.
        if (submit.disabled) return;
        say('');
        submit.disabled = true;
        try {
          await opts.submit(handle);
          dialog.close();
        } catch {
          // The submit said why; the form stays open to be corrected.
        } finally {
          submit.disabled = false;
        }
      },
    },
    h('h2', {}, opts.title), opts.fields, message,
    h('div', { class: 'actions' },
      h('button', { type: 'button', class: 'secondary', onclick: () => dialog.close() }, '取消'),
      submit)));
  const handle: FormDialog = { dialog, say };
  dialog.addEventListener('close', () => dialog.remove());
  document.body.append(dialog);
  dialog.showModal();
  return handle;
}
