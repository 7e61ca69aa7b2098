/**
 * 熱時熱點 patrol plans (server/patrol/plans.ts): refusals and what each step did. Part of the
 * one catalogue (messages.ts).
 */
export const PLAN_MESSAGES = {
  plan_planners_only: () => '只有所屬分局的承辦人（或警察局）能編排與核定巡邏計畫；員警可在核定後查看。',
  plan_police_only: () => '巡邏計畫只提供警察帳號查看。',
  plan_body: (p: { field: string }) =>
    `巡邏計畫的「${p.field}」不正確：新增請送出 station（派出所代碼），可加 week（週一的日期，如 2026-12-14）與 types（案類）；修改請送出 items 或 note。`,
  plan_station_unknown: (p: { code: string }) => `沒有代碼為「${p.code}」的派出所；請選擇轄區內的派出所。`,
  plan_unknown: (p: { id: number }) => `沒有編號 ${p.id} 的巡邏計畫，或你的帳號不能查看（員警只能看已核定的計畫）。`,
  plan_week_not_monday: (p: { week: string }) => `「${p.week}」不是星期一：巡邏計畫以週為單位，請給那一週星期一的日期。`,
  plan_exists: (p: { station: string; week: string }) =>
    `${p.station} ${p.week} 那一週已有巡邏計畫草案，沒有變更；要重新產生請加 replace=true（舊草案會標示為已取代，仍留存紀錄）。`,
  plan_approved_exists: (p: { station: string; week: string }) =>
    `${p.station} ${p.week} 那一週的巡邏計畫已核定，不會被新草案取代；要調整請直接修改那份計畫（修改後須重新核定）。`,
  plan_changed_meanwhile: (p: { by: string }) => `這份巡邏計畫在你讀取後已被 ${p.by} 修改，沒有變更；請重新載入後再修改。`,
  plan_point_unknown: (p: { id: number; station: string }) => `巡簽點 #${p.id} 不是${p.station}的巡簽點（或已刪除）；請從清單中選擇。`,
  plan_week_out_of_range: (p: { week: string; now: string; next: string }) =>
    `巡邏計畫只能排本週（${p.now} 起）或下週（${p.next} 起），不能排 ${p.week} 那一週；已過的週次留作紀錄。`,
  plan_week_over: (p: { week: string }) => `${p.week} 起那一週已經過去，計畫留作紀錄，不能再修改或核定；請排本週或下週的計畫。`,
  plan_item_repeated: () => '同一個地點在計畫中出現了兩次；每個地點只能列一次（要加強巡簽請提高每日次數）。',
  plan_item_unknown: () => '修改只能調整草案中已有的地點（可刪除）；要找新的熱點請重新產生草案。',
  plan_empty: () => '計畫沒有任何地點，不能核定；請重新產生草案，或改選案類與週次。',
  plan_drafted: (p: { places: number; station: string; week: string }) =>
    p.places ? `已產生 ${p.station} ${p.week} 起一週的巡邏計畫草案（${p.places} 處熱點）；請檢查後核定。`
      : `${p.station} 近 8 週案件太少，找不到熱點（每處至少 3 件）；草案沒有地點，可改選案類或週次。`,
  plan_saved: () => '已儲存；計畫現在是草案，核定後員警才看得到（已核定的計畫修改後須重新核定）。',
  plan_approved: () => '已核定；所屬員警的勤前簡報會列出本週的熱時熱點。',
} satisfies Record<string, (p: never) => string>;
