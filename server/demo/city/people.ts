import type { Random } from './random.js';
import type { GroundBlock } from '../ground.js';
import type { Fabric } from './fabric.js';

// Time in Asia/Taipei (UTC+8, no daylight saving time)

export const DAY_MS = 86_400_000;
export const HOUR_MS = 3_600_000;
const TAIPEI_OFFSET_MS = 8 * HOUR_MS;
/** "The last 12 months" in every count and test. */
export const YEAR_DAYS = 365;

export const startOfTaipeiDay = (t: number): number => Math.floor((t + TAIPEI_OFFSET_MS) / DAY_MS) * DAY_MS - TAIPEI_OFFSET_MS;
export const taipeiFields = (t: number): Date => new Date(t + TAIPEI_OFFSET_MS);
export const taipeiTimestamp = (t: number): string => taipeiFields(t).toISOString().slice(0, 19) + '+08:00';
export const taipeiDate = (t: number): string => taipeiFields(t).toISOString().slice(0, 10);
/** 0 = Sunday … 6 = Saturday, local. */
export const taipeiWeekday = (t: number): number => taipeiFields(t).getUTCDay();

// ---------------------------------------------------------------------------------------------
// Names, addresses and phone numbers (Traditional Chinese)

const SURNAMES = '陳林黃張李王吳劉蔡楊許鄭謝郭洪曾邱廖賴周徐蘇葉莊呂江何蕭羅高'.split('');
const GIVEN_NAME_CHARS = '志明家豪建宏俊傑淑芬美玲雅婷怡君冠宇承翰佳慧信良國華文彬秀英振興宗憲柏廷'.split('');

export function personName(rng: Random): string {
  const first = rng.pick(GIVEN_NAME_CHARS);
  let second = rng.pick(GIVEN_NAME_CHARS);
  while (second === first) second = rng.pick(GIVEN_NAME_CHARS);
  return rng.pick(SURNAMES) + first + second;
}

const digits = (rng: Random, n: number): string => Array.from({ length: n }, () => rng.int(0, 9)).join('');
export const mobile = (rng: Random): string => `09${digits(rng, 2)}-${digits(rng, 3)}-${digits(rng, 3)}`;

/**
 * A demo address in the real 村里 of a block: 里 and 鄰 as rural and many town addresses are
 * written. The block fabric has no street names, and a made-up street at a real spot would
 * mislead anyone who knows the place; the 村里 is true.
 */
export interface Address {
  town: string;
  village: string;
  /** 「12鄰」: the neighbourhood, which also names sheds and houses. */
  neighbourhood: string;
  /** 「35號」 */
  number: string;
  full: string;
}

export function addressIn(rng: Random, fabric: Fabric, block: GroundBlock): Address {
  const { name: village, townName: town } = fabric.village(block);
  const neighbourhood = `${rng.int(1, 30)}鄰`;
  const number = `${rng.int(1, 320)}號`;
  return { town, village, neighbourhood, number, full: `桃園市${town}${village}${neighbourhood}${number}` };
}

export const TRADE_WORDS = ['金星', '銀河', '皇家', '帝王', '花月', '夜來香', '金鑽', '紅磨坊', '星光', '鑽石', '金都',
  '新天地', '麗都', '天王星', '藍海', '鳳凰', '月光', '富貴', '好運', '大眾'];
const BUILDING_WORDS = ['國華', '長安', '中正', '桃園', '青埔', '成功', '民族', '中興', '大同', '復興'];
const INDUSTRIES = ['塑膠', '五金', '紡織', '食品', '電鍍', '木材', '化工', '機械'];
export const BANKS = ['臺灣銀行', '土地銀行', '合作金庫', '第一銀行', '華南銀行', '彰化銀行', '中華郵政'];

/** A place name fitting its category; `address` lets houses and sheds be named by location. */
export function placeName(rng: Random, category: string, address: Address): string {
  const at = `${address.village}${address.neighbourhood}`;
  const trade = rng.pick(TRADE_WORDS);
  switch (category) {
    case 'dance_hall': return `${trade}舞廳`;
    case 'dance_venue': return `${trade}舞場`;
    case 'hostess_bar': return `${trade}酒家`;
    case 'bar': return `${trade}酒吧`;
    case 'special_cafe': return `${trade}${rng.pick(['茶室', '咖啡'])}`;
    case 'ktv': return `${trade}KTV`;
    case 'barber_massage': return `${trade}${rng.pick(['理容院', '養生館'])}`;
    case 'sauna': return `${trade}三溫暖`;
    case 'rental_building': return `${rng.pick(BUILDING_WORDS)}${rng.pick(['大樓', '商務大樓', '華廈'])}`;
    case 'subdivided_house': return `${at}${address.number}分租套房`;
    case 'vacant_house': return `${at}${address.number}空屋`;
    case 'work_shed': return `${at}工寮`;
    case 'abandoned_factory': return `原${rng.pick(BUILDING_WORDS)}${rng.pick(INDUSTRIES)}廠`;
    case 'iron_sheet_house': return `${at}${rng.pick(['鐵皮屋', '貨櫃屋'])}`;
    case 'fencing_outlet': return `${trade}${rng.pick(['當舖', '資源回收場', '二手商行', '銀樓'])}`;
    case 'cash_hub': return `${rng.pick(BANKS)}${address.town.replace(/區$/, '')}分行ATM`;
    case 'prior_violation': return `${at}${address.number}（曾查獲${rng.pick(['賭博', '毒品', '媒介色情', '違法電玩'])}）`;
    default: throw new Error(`no name pattern for key-place category ${category}`);
  }
}
