/**
 * The periods a roll-up page offers, newest first, and how a period's name reads in a report
 * header: 評核 is half-yearly, and Taiwanese reports date by the Republic of China calendar
 * (民國 = year − 1911).
 */
export interface PeriodChoice { value: string; label: string }

const roc = (year: number) => `${year - 1911}年`;

export function periodTitle(name: string): string {
  let m = /^(\d{4})H([12])$/.exec(name);
  if (m) return `${roc(Number(m[1]))}${m[2] === '1' ? '上' : '下'}半年`;
  m = /^(\d{4})Q([1-4])$/.exec(name);
  if (m) return `${roc(Number(m[1]))}第${'一二三四'[Number(m[2]) - 1]}季`;
  m = /^(\d{4})-(\d{2})$/.exec(name);
  if (m) return `${roc(Number(m[1]))}${Number(m[2])}月`;
  m = /^(\d{4})$/.exec(name);
  if (m) return `${roc(Number(m[1]))}全年`;
  return name.replace('/', '～');
}

/** Recent half-years, quarters, months and years, counted back from `today` (YYYY-MM-DD). */
export function periodChoices(today: string): { group: string; choices: PeriodChoice[] }[] {
  const [year, month] = today.split('-').map(Number) as [number, number];
  const back = <T>(n: number, f: (i: number) => T) => Array.from({ length: n }, (_, i) => f(i));
  const choice = (value: string) => ({ value, label: `${periodTitle(value)}（${value}）` });
  const half = (year * 2 + (month > 6 ? 1 : 0));
  const quarter = year * 4 + Math.floor((month - 1) / 3);
  const monthIndex = year * 12 + month - 1;
  return [
    { group: '半年（評核）', choices: back(4, (i) => choice(`${Math.floor((half - i) / 2)}H${((half - i) % 2) + 1}`)) },
    { group: '季', choices: back(4, (i) => choice(`${Math.floor((quarter - i) / 4)}Q${((quarter - i) % 4) + 1}`)) },
    { group: '月', choices: back(6, (i) => choice(`${Math.floor((monthIndex - i) / 12)}-${String(((monthIndex - i) % 12) + 1).padStart(2, '0')}`)) },
    { group: '年', choices: back(3, (i) => choice(String(year - i))) },
  ];
}
