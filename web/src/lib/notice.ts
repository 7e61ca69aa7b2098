import { h } from './dom.js';

/**
 * A notice over the map (「已紀錄查訪」, 「已儲存…」): where the user is looking whether the panel
 * is open or not, read out by screen readers, and kept until closed or replaced.
 */
export class Notice {
  private readonly text = h('span', { class: 'notice-text' });
  readonly element = h('div', { class: 'notice map-notice', role: 'status', hidden: true },
    this.text, h('button', { type: 'button', class: 'notice-close', 'aria-label': '關閉訊息', onclick: () => this.hide() }, '✕'));

  /** Shows a message; `refused` marks one that says what did not happen and why. */
  show(message: string, refused = false): void {
    this.text.textContent = message;
    this.element.classList.toggle('refused', refused);
    this.element.hidden = false;
  }

  hide(): void {
    this.element.hidden = true;
  }
}
