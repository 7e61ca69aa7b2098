/** Allowed values of enumerated properties: identifier for code, Traditional Chinese for the UI. */
export interface Choice {
  readonly value: string;
  readonly label: string;
}

const choices = (pairs: Record<string, string>): readonly Choice[] =>
  Object.entries(pairs).map(([value, label]) => ({ value, label }));

/** 治安重點處所 categories from the 社區警政2.0 plan; the first eight are the 八大行業. */
export const KEY_PLACE_CATEGORIES = choices({
  dance_hall: '舞廳',
  dance_venue: '舞場',
  hostess_bar: '酒家',
  bar: '酒吧',
  special_cafe: '特種咖啡茶室',
  ktv: '視聽歌唱業',
  barber_massage: '理髮業（按摩）',
  sauna: '三溫暖',
  rental_building: '社區出租大樓',
  subdivided_house: '改裝套房分租之透天住宅',
  vacant_house: '空屋',
  work_shed: '工寮',
  abandoned_factory: '廢棄工廠',
  iron_sheet_house: '鐵皮（貨櫃）屋',
  fencing_outlet: '易銷贓場所',
  cash_hub: '財物匯集處所',
  prior_violation: '曾遭查獲違法（規）地點',
});

export const LISTING_STATUSES = choices({ listed: '列管中', delisted: '已解除列管' });

/** 犯罪徵候: the six kinds of criminal activity a place may show signs of. */
export const INDICATOR_TYPES = choices({
  drug_lab: '製毒工廠',
  gun_workshop: '改造槍械工廠',
  fraud_centre: '詐欺（網路賭博）機房',
  mule_detention: '拘禁人頭帳戶',
  gambling_den: '職業賭場',
  chop_shop: '汽機車解體工廠',
});

/** Observable signs listed in the plan's checklist. */
export const INDICATOR_SIGNS = choices({
  covered_windows: '門窗緊閉或遮蔽',
  outward_cameras: '裝設向外監視器',
  chemical_smell: '散發化學或不明氣味',
  machine_noise: '機器運轉聲',
  powder_in_rubbish: '垃圾中有不明粉末或廢棄容器',
  metal_shavings: '金屬碎屑',
  bulk_food: '同一人大量採購食物',
  shift_workers: '年輕人輪班進出且無公司招牌',
  power_surge: '用電量突增',
  shouting: '傳出叫囂聲',
  lookouts: '有人把風',
  chaotic_parking: '車輛停放雜亂',
  betel_meal_deliveries: '檳榔或餐點外送頻繁',
  vehicles_in_not_out: '車輛只進不出',
  closed_trucks: '密閉貨車出入',
});

export const VISIT_OUTCOMES = choices({ normal: '正常', anomaly: '發現異常', absent: '未遇' });

export const CAMERA_OWNER_KINDS = choices({ police: '警察機關', community: '社區', private: '民間' });
export const CAMERA_STATUSES = choices({ working: '正常', broken: '故障', offline: '離線' });

export const ADOPTER_KINDS = choices({
  agency: '機關',
  school: '學校',
  company: '公司',
  shop: '商家',
  community: '社區',
});

export const DRONE_PURPOSES = choices({
  factory_check: '工廠查察',
  iron_sheet_check: '鐵皮屋查察',
  evidence: '蒐證',
  search: '搜尋',
  event: '活動維安',
});
export const DRONE_STATUSES = choices({
  planned: '規劃中',
  approved: '已核准',
  done: '已執行',
  cancelled: '已取消',
});

export const INCIDENT_TYPES = choices({
  residential_burglary: '住宅竊盜',
  car_theft: '汽車竊盜',
  scooter_theft: '機車竊盜',
  bicycle_theft: '自行車竊盜',
  fraud_withdrawal: '車手提款',
  drugs: '毒品',
  violence: '暴力犯罪',
  traffic_accident: '交通事故',
  citizen_report: '民眾通報',
});
/** Kinds of patrol sign-in points (巡簽點). */
export const PATROL_POINT_KINDS = choices({
  patrol_box: '巡邏箱',
  village_office: '村里長服務處',
  building_sheet: '社區大樓簽章表',
  atm: '自動櫃員機（ATM）',
  convenience_store: '超商',
  other: '其他',
});
/** How a sign-in was proven: by the officer's position near the point, or by its QR code. */
export const SIGNIN_METHODS = choices({ position: '定位', qr: 'QR code' });

export const INCIDENT_SOURCES = choices({
  report: '報案',
  patrol: '巡邏發現',
  citizen_app: '民眾通報',
  cctv: '監視器發現',
});

/** Kinds of police-unit points (警察單位). */
export const POLICE_UNIT_KINDS = choices({
  bureau: '警察局',
  precinct: '分局',
  station: '派出所',
  substation: '分駐所',
  traffic: '交通隊',
  other: '其他單位',
});
