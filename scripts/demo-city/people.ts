import type { Random } from './random.js';
import { CITY_CENTRE, subtract, toXY } from './geography.js';
import type { LonLat } from './model.js';

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
export const landline = (rng: Random): string => `06-2${digits(rng, 6)}`;
export const mobile = (rng: Random): string => `09${digits(rng, 2)}-${digits(rng, 3)}-${digits(rng, 3)}`;

const DISTRICT_STREETS: Record<string, readonly string[]> = {
  中西區: ['民族路二段', '民生路一段', '中正路', '府前路一段', '西門路二段', '海安路二段', '忠義路二段', '永福路二段', '友愛街'],
  東區: ['東門路二段', '林森路一段', '大學路', '長榮路二段', '崇德路', '中華東路二段', '裕農路', '勝利路', '自由路二段'],
  南區: ['金華路一段', '健康路二段', '夏林路', '新興路', '大同路二段', '鹽埕路', '明興路', '新孝路'],
  北區: ['北門路二段', '公園路', '成功路', '開元路', '西門路三段', '和緯路三段', '文賢路', '長榮路四段'],
  安平區: ['安平路', '健康路三段', '永華路二段', '平通路', '育平路', '光州路', '安億路'],
  安南區: ['安中路三段', '海佃路一段', '安和路二段', '長和路二段', '安明路三段', '怡安路二段'],
  永康區: ['中華路', '中正南路', '永大路二段', '小東路', '大灣路', '中山南路', '復國一路'],
};

/** Rough district boundaries around the old city centre: good enough to make addresses plausible. */
export function districtAt(p: LonLat): string {
  const [lon, lat] = p;
  if (lon < 120.185) return lat > 23.012 ? '安南區' : '安平區';
  if (lon > 120.245 && lat > 23.0) return '永康區';
  const [dx, dy] = subtract(toXY(p), toXY(CITY_CENTRE));
  if (Math.abs(dx) < 1600 && Math.abs(dy) < 1600) return '中西區';
  if (lat > 23.0) return '北區';
  return lon > 120.215 ? '東區' : '南區';
}

export interface Address {
  district: string;
  street: string;
  full: string;
}

/** A street address at a point; `street` pins the road (a camera on 東門路 is on 東門路). */
export function addressAt(rng: Random, p: LonLat, street?: string): Address {
  const district = districtAt(p);
  const road = street ?? rng.pick(DISTRICT_STREETS[district]!);
  const number = rng.int(1, 420);
  const house = rng.chance(0.25) ? `${rng.int(1, 250)}巷${number}號` : `${number}號`;
  return { district, street: road, full: `${district}${road}${house}` };
}

/** 里 names from central 臺南市 for watch teams (府前里 is kept for the community area). */
export const VILLAGES = [
  '大學里', '東門里', '長榮里', '崇德里', '德高里', '裕聖里', '南門里', '開山里', '法華里', '郡王里',
  '五妃里', '延平里', '赤嵌里', '民主里', '永華里', '億載里', '金城里', '漁光里', '公園里', '大港里',
  '正覺里', '元寶里', '成功里', '文元里', '北華里', '海東里', '安慶里', '鹽埕里', '新興里', '明亮里',
];
export const COMMUNITY_AREA_NAME = '府前里';

export const TRADE_WORDS = ['金星', '銀河', '皇家', '帝王', '花月', '夜來香', '金鑽', '紅磨坊', '星光', '鑽石', '金都',
  '新天地', '麗都', '天王星', '藍海', '鳳凰', '月光', '富貴', '好運', '大眾'];
const BUILDING_WORDS = ['國華', '健康', '金華', '府城', '安平', '成功', '民族', '東寧', '崇明', '大同'];
const INDUSTRIES = ['塑膠', '五金', '紡織', '食品', '電鍍', '木材', '化工', '機械'];
const BANKS = ['臺灣銀行', '土地銀行', '合作金庫', '第一銀行', '華南銀行', '彰化銀行', '臺南郵局'];

/** A place name fitting its category; `address` lets houses and sheds be named by location. */
export function placeName(rng: Random, category: string, address: Address, houseNumber: string): string {
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
    case 'subdivided_house': return `${address.street}${houseNumber}分租套房`;
    case 'vacant_house': return `${address.street}${houseNumber}空屋`;
    case 'work_shed': return `${address.street}旁工寮`;
    case 'abandoned_factory': return `原${rng.pick(BUILDING_WORDS)}${rng.pick(INDUSTRIES)}廠`;
    case 'iron_sheet_house': return `${address.street}${rng.pick(['鐵皮屋', '貨櫃屋'])}`;
    case 'fencing_outlet': return `${trade}${rng.pick(['當舖', '資源回收場', '二手商行', '銀樓'])}`;
    case 'cash_hub': return `${rng.pick(BANKS)}${address.street.replace(/[一二三四]段$/, '')}分行ATM`;
    case 'prior_violation': return `${address.street}${houseNumber}（曾查獲${rng.pick(['賭博', '毒品', '媒介色情', '違法電玩'])}）`;
    default: throw new Error(`no name pattern for key-place category ${category}`);
  }
}
