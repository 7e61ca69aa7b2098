/**
 * What a new password must be: long enough to resist guessing at the sign-in throttle's pace, and
 * not one of the passwords people reach for first. Demo accounts are exempt (their password is
 * random, or the operator's DEMO_PASSWORD); every password set through administration is checked.
 */
export const MIN_PASSWORD_LENGTH = 12;
export const MAX_PASSWORD_LENGTH = 200;

/** Words that make the bulk of guessed passwords once their digits and symbols are stripped. */
const COMMON_WORDS = new Set([
  'password', 'passw', 'pass', 'qwerty', 'qwertyuiop', 'asdfgh', 'asdfghjkl', 'zxcvbnm', 'admin', 'administrator',
  'root', 'user', 'login', 'welcome', 'changeme', 'letmein', 'iloveyou', 'police', 'taiwan', 'taipei', 'taoyuan',
  'abc', 'abcd', 'abcdef', 'abcdefghijkl', 'qaz', 'qazwsx', 'qazwsxedc', 'qazwsxedcrfv', 'wsx', 'edc', 'zaq', 'xsw',
  'test', 'secret', 'master', 'dragon', 'monkey', 'sunshine', 'princess', 'football', 'baseball', 'superman',
]);

export type PasswordProblem = 'short' | 'long' | 'digits' | 'repeated' | 'common' | 'username';

/** Why a password may not be set, or null when it may. */
export function passwordProblem(given: string, username: string): PasswordProblem | null {
  // Judged as it is hashed (passwords.ts): Ｐａｓｓｗｏｒｄ２０２６！ is Password2026!.
  const password = given.normalize('NFKC');
  const chars = [...password];
  if (chars.length < MIN_PASSWORD_LENGTH) return 'short';
  if (chars.length > MAX_PASSWORD_LENGTH) return 'long';
  if (/^\d+$/.test(password)) return 'digits';
  if (new Set(chars).size <= 2) return 'repeated';
  const lower = password.toLowerCase();
  // Keyboard walks and words padded with digits or symbols: 1qaz2wsx3edc, Password2026!, P@ssw0rd.
  const leet = lower.replace(/0/g, 'o').replace(/@/g, 'a').replace(/\$/g, 's');
  const letters = [lower, leet].map((s) => s.replace(/[^a-z]/g, ''));
  // Digits and keyboard symbols alone (!@#$%^&*1234) are as guessable; other scripts (中文) are not.
  const onlyKeyboard = /^[\x20-\x7e]+$/.test(password);
  if (letters.some((l) => (l === '' ? onlyKeyboard : COMMON_WORDS.has(l) || isKeyboardWalk(l)))) return 'common';
  if (username.length >= 3 && lower.includes(username.toLowerCase())) return 'username';
  return null;
}

/** Letters that only repeat pieces of the common words (qazwsxedc, adminadmin). */
function isKeyboardWalk(letters: string): boolean {
  let rest = letters;
  while (rest) {
    const next = [...COMMON_WORDS].filter((w) => w.length >= 3 && rest.startsWith(w)).sort((a, b) => b.length - a.length)[0];
    if (!next) return false;
    rest = rest.slice(next.length);
  }
  return true;
}
