import { QUARTER_MS } from '../constants';
import { html, type Html } from './html';
import { CODE_STATE, QUARTER_STATES, STATE_CODE, type CoverageDay, type DatasetCoverage, type StateCode } from './model';

const CLASS: Record<StateCode, string> = { L: 'landed', U: 'unpublished', M: 'missing', G: 'gap', N: 'notdue' };

export function countsText(counts: CoverageDay['counts']): string {
  return QUARTER_STATES.filter((s) => counts[s] > 0)
    .map((s) => `${counts[s]} ${s}`)
    .join(', ');
}

export function legendHtml(): Html {
  return html`<ul class="legend">${QUARTER_STATES.map(
    (s) => html`<li><i class="q ${CLASS[STATE_CODE[s]]}"></i>${s}</li>`,
  )}</ul>`;
}

function dayRow(day: CoverageDay): Html {
  const midnight = Date.parse(`${day.date}T00:00:00Z`);
  const summary = countsText(day.counts);
  const cells = [...day.quarters].map((code, i) => {
    const state = CODE_STATE[code as StateCode];
    const at = new Date(midnight + i * QUARTER_MS).toISOString().slice(0, 16);
    return html`<i class="q ${CLASS[code as StateCode]}" data-state="${state}" title="${at}Z ${state} · day: ${summary}"></i>`;
  });
  return html`<div class="row" data-date="${day.date}"><span class="day">${day.date}</span><span class="cells">${cells}</span><span class="cnt">${day.counts.landed}/96</span></div>`;
}

/** One row per UTC day, one cell per quarter, newest day first. */
export function calendarHtml(c: DatasetCoverage): Html {
  const hours = Array.from({ length: 24 }, (_, h) => html`<span>${String(h).padStart(2, '0')}</span>`);
  return html`<section class="calendar" data-dataset="${c.dataset}">
<h3>${c.dataset}</h3>
<p class="totals">${countsText(c.totals)}</p>
<div class="hours"><span class="day">UTC</span><span class="hh">${hours}</span></div>
${[...c.days].reverse().map(dayRow)}
</section>`;
}
