// ECharts, tree-shaken to what the dashboard draws, rendered as SVG so
// that the printed review is as sharp as the screen.
import { BarChart, LineChart } from "echarts/charts";
import { GridComponent, LegendComponent, TooltipComponent } from "echarts/components";
import * as echarts from "echarts/core";
import { SVGRenderer } from "echarts/renderers";

echarts.use([LineChart, BarChart, GridComponent, LegendComponent, TooltipComponent, SVGRenderer]);

const palette = ["#1f5fa8", "#c2410c", "#15803d", "#7e22ce", "#0e7490", "#a16207", "#be123c"];

function chartIn(id: string): echarts.ECharts {
  const el = document.getElementById(id)!;
  return echarts.getInstanceByDom(el) ?? echarts.init(el, undefined, { renderer: "svg" });
}

export function resizeAll(): void {
  for (const el of document.querySelectorAll<HTMLElement>(".chart")) echarts.getInstanceByDom(el)?.resize();
}

export interface Line {
  name: string;
  values: Array<number | undefined>;
  low?: Array<number | undefined>;
  high?: Array<number | undefined>;
  axis?: 0 | 1;
}

const na = (v: number | undefined) => (v === undefined ? null : v);

/** Lines over buckets, each with its 95 % CI band when given. */
export function lines(id: string, labels: string[], series: Line[], yNames: [string, string?] = [""]): void {
  const option: echarts.EChartsCoreOption = {
    color: palette,
    animation: false,
    tooltip: { trigger: "axis" },
    legend: { top: 0, data: series.map((s) => s.name) },
    grid: { left: 48, right: yNames[1] ? 56 : 16, top: 48, bottom: 28 },
    xAxis: { type: "category", data: labels, boundaryGap: false },
    yAxis: yNames.filter((n) => n !== undefined).map((name) => ({ type: "value", name, scale: true })),
    series: series.flatMap((s, i) => {
      const line = {
        name: s.name,
        type: "line",
        yAxisIndex: s.axis ?? 0,
        data: s.values.map(na),
        showSymbol: labels.length < 60,
        connectNulls: false,
        z: 3,
      };
      if (!s.low || !s.high) return [line];
      const stack = `ci-${i}`;
      return [
        {
          name: `${s.name} CI low`,
          type: "line",
          data: s.low.map(na),
          stack,
          stackStrategy: "all",
          lineStyle: { opacity: 0 },
          showSymbol: false,
          tooltip: { show: false },
          silent: true,
        },
        {
          name: `${s.name} 95 % CI`,
          type: "line",
          data: s.high.map((h, j) => (h === undefined || s.low![j] === undefined ? null : h - s.low![j]!)),
          stack,
          stackStrategy: "all",
          lineStyle: { opacity: 0 },
          areaStyle: { color: palette[i % palette.length], opacity: 0.18 },
          showSymbol: false,
          tooltip: { show: false },
          silent: true,
        },
        line,
      ];
    }),
  };
  chartIn(id).setOption(option, true);
}

export interface Bars {
  name: string;
  color?: string;
  values: Array<number | undefined>;
  stack?: string;
  axis?: 0 | 1;
  type?: "bar" | "line";
}

/** Bars over categories (stacked when given a stack), optionally a second axis. */
export function bars(id: string, labels: string[], series: Bars[], yNames: [string, string?] = [""], horizontal = false): void {
  const category = { type: "category", data: labels };
  const values = yNames.filter((n) => n !== undefined).map((name) => ({ type: "value", name }));
  chartIn(id).setOption(
    {
      color: palette,
      animation: false,
      tooltip: { trigger: "axis" },
      legend: { top: 0 },
      grid: { left: horizontal ? 110 : 48, right: yNames[1] ? 56 : 16, top: 48, bottom: 28 },
      xAxis: horizontal ? values : category,
      yAxis: horizontal ? category : values,
      series: series.map((s) => ({
        name: s.name,
        type: s.type ?? "bar",
        stack: s.stack,
        itemStyle: s.color ? { color: s.color } : undefined,
        yAxisIndex: horizontal ? undefined : (s.axis ?? 0),
        data: s.values.map(na),
      })),
    },
    true,
  );
}
