#include "web/page_assets.hpp"

namespace serentak::web {

std::string_view page_style() {
  return R"css(
:root { --up: #2e8b57; --degraded: #c9a227; --down: #d64545; --unknown: #8a8f98; --bg: #f6f7f9; --fg: #1d2125; --muted: #5f6b7a; --line: #dfe3e8; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.4 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; background: var(--bg); color: var(--fg); }
.top { display: flex; align-items: center; gap: 1rem; padding: .6rem 1rem; background: #fff; border-bottom: 1px solid var(--line); }
.top h1 { font-size: 1.1rem; margin: 0; }
.conn { font-size: .8rem; color: var(--muted); }
.conn.live { color: var(--up); }
.conn.lost { color: var(--down); }
.overview { display: flex; gap: .75rem; padding: .75rem 1rem; flex-wrap: wrap; }
.count { background: #fff; border: 1px solid var(--line); border-left: 6px solid var(--unknown); border-radius: 6px; padding: .4rem .8rem; min-width: 8rem; }
.count .num { font-size: 1.5rem; font-weight: 600; display: block; }
.count .label { color: var(--muted); }
.count.state-up { border-left-color: var(--up); }
.count.state-degraded { border-left-color: var(--degraded); }
.count.state-down { border-left-color: var(--down); }
.controls { display: flex; gap: .5rem; align-items: center; padding: 0 1rem .5rem; }
.controls input { flex: 1; max-width: 28rem; padding: .35rem .5rem; border: 1px solid var(--line); border-radius: 4px; }
.controls select { padding: .3rem; border: 1px solid var(--line); border-radius: 4px; }
.shown { color: var(--muted); font-size: .85rem; }
.list { position: relative; height: calc(100vh - 12rem); min-height: 16rem; overflow-y: auto; margin: 0 1rem 1rem; background: #fff; border: 1px solid var(--line); border-radius: 6px; }
.spacer { width: 1px; }
.rows { position: absolute; top: 0; left: 0; right: 0; }
.row { position: absolute; left: 0; right: 0; height: 72px; display: grid; grid-template-columns: 7rem minmax(8rem, 1.2fr) 2fr 130px 11rem; gap: .75rem; align-items: center; padding: 0 .75rem; border-bottom: 1px solid var(--line); overflow: hidden; }
.pill { display: inline-block; padding: .15rem .5rem; border-radius: 999px; color: #fff; font-size: .8rem; font-weight: 600; text-align: center; background: var(--unknown); }
.row.state-up .pill { background: var(--up); }
.row.state-degraded .pill { background: var(--degraded); }
.row.state-down .pill { background: var(--down); }
.name { font-weight: 600; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.group { color: var(--muted); font-size: .8rem; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.message { overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.failing { color: var(--down); font-size: .8rem; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.change { color: var(--muted); font-size: .75rem; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.spark { width: 130px; height: 36px; }
.spark polyline { fill: none; stroke: #4a7bd0; stroke-width: 1.5; }
.uptime { font-size: .8rem; color: var(--muted); font-variant-numeric: tabular-nums; }
.empty { padding: 1rem; color: var(--muted); }
[hidden] { display: none !important; }
.board { margin: 0 1rem 1rem; display: flex; gap: .75rem; align-items: flex-start; flex-wrap: wrap; }
.column { flex: 1 1 14rem; background: #fff; border: 1px solid var(--line); border-top: 6px solid var(--status, var(--unknown)); border-radius: 6px; padding: .5rem; min-width: 12rem; }
.column h2 { display: flex; justify-content: space-between; font-size: 1rem; margin: 0 0 .5rem; }
.column h2 .num { color: var(--muted); }
.column.status-preparing { --status: #c9a227; }
.column.status-baking { --status: #e07b24; }
.column.status-out-for-delivery { --status: #4a7bd0; }
.column.status-delivered { --status: #2e8b57; }
.column.status-none { --status: #d64545; }
.card, .tile { background: var(--bg); border: 1px solid var(--line); border-left: 4px solid var(--unknown); border-radius: 4px; padding: .4rem .6rem; margin-bottom: .5rem; }
.card.state-up, .tile.state-up { border-left-color: var(--up); }
.card.state-down, .tile.state-down { border-left-color: var(--down); }
.card.state-up .pill, .tile.state-up .pill { background: var(--up); }
.card.state-down .pill, .tile.state-down .pill { background: var(--down); }
.card-head { display: flex; justify-content: space-between; align-items: center; gap: .5rem; }
.customer, .eta, .condition, .humidity { color: var(--muted); font-size: .85rem; }
.card .message, .tile .message { font-size: .8rem; white-space: normal; }
.tiles .tile { flex: 0 1 14rem; background: #fff; margin-bottom: 0; }
.tile .temp { font-size: 1.8rem; font-weight: 600; }
)css";
}

}  // namespace serentak::web
