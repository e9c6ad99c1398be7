import { t, en, count, locale } from './i18n.js';

// The words and sums of field reports that the viewer and the IOC widget share: kept apart from reports.js so the
// widget's bundle does not carry the viewer's report form (its pin, VN-2000 coordinates).
/** When a report was sent or moved, as a list line says it: day, month and time in the page's language. */
export const when = (iso) => new Date(iso).toLocaleString(locale, { day: '2-digit', month: '2-digit', hour: '2-digit', minute: '2-digit' });

export const STATUS = en
  ? { new: 'new', accepted: 'accepted', in_progress: 'in progress', resolved: 'resolved', rejected: 'rejected' }
  : { new: 'mới', accepted: 'đã tiếp nhận', in_progress: 'đang xử lý', resolved: 'đã xử lý', rejected: 'từ chối' };

// A month ("2026-11", or none: every report) as the list's since/until, which the server reads in Việt Nam time.
export function monthRange(month) {
  const q = new URLSearchParams();
  if (month) {
    const [y, m] = month.split('-').map(Number);
    q.set('since', `${month}-01`);
    q.set('until', `${m === 12 ? y + 1 : y}-${String(m === 12 ? 1 : m + 1).padStart(2, '0')}-01`);
  }
  return q;
}

// The month's (or every) report counted as the city asks for them (GET /api/reports/summary): open, overdue,
// resolved by the deadline. The viewer's report panel and the IOC widget (summary=1) say it alike.
export function summaryLine(s, month) {
  const overdue = s.overdue.acceptance + s.overdue.resolution;
  const onTime = s.resolved ? ` · ${Math.round((100 * s.resolved_on_time) / s.resolved)} % ${t('xử lý đúng hạn', 'resolved on time')} (${s.resolved_on_time}/${s.resolved})` : '';
  return `${month ? `${t('Tháng', 'Month')} ${month.slice(5)}/${month.slice(0, 4)}` : t('Tất cả', 'All')}: `
    + `${count(s.total, 'phản ánh', 'report')} · ${s.open} ${t('đang mở', 'open')} · ${overdue} ${t('quá hạn', 'overdue')}` + onTime;
}
