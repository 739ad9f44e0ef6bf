/**
 * The start-up warning about rule sets whose seasons have all ended (src/server/worker.ts), with
 * the committed rules and a fixed "today".
 */
import { CalendarDate } from '../../src/calendar';
import { warnEndedSeasons } from '../../src/server/worker';
import { committedCatalog } from '../fhir/builders';
import { capturingLogger } from './helpers';

const catalog = committedCatalog();

function warnings(today: string): Record<string, unknown>[] {
  const { logger, lines } = capturingLogger();
  warnEndedSeasons(catalog, CalendarDate.parse(today), logger);
  return lines()
    .map((l) => JSON.parse(l) as Record<string, unknown>)
    .filter((l) => l['level'] === 'warn' || l['level'] === 40);
}

describe('start-up warning about ended seasons', () => {
  test('none while every season of 4.64 covers today', () => {
    expect(warnings('2026-01-15')).toEqual([]);
  });

  test('one line for 4.64 after its influenza and RSV seasons, naming groups and dates, no patient data', () => {
    const [line, ...rest] = warnings('2026-11-22');
    expect(rest).toEqual([]);
    expect(line).toMatchObject({
      ruleSet: 'cdc-cdsi@4.64',
      today: '2026-11-22',
      seasons: [
        { vaccineGroup: 'Influenza', startDate: '2025-07-01', endDate: '2026-06-30' },
        { vaccineGroup: 'RSV', startDate: '2025-10-01', endDate: '2026-03-31' },
      ],
    });
    expect(line!['msg']).toBe(
      'rule set cdc-cdsi@4.64 has no season covering 2026-11-22 for Influenza (last season ended ' +
        '2026-06-30), RSV (last season ended 2026-03-31): those forecasts say the season has ' +
        'ended; load newer CDC supporting data (npm run rules -- import-cdc)',
    );
  });
});
