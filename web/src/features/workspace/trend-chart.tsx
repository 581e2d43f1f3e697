import { BarChart, LineChart } from "echarts/charts";
import { GridComponent, LegendComponent, TooltipComponent } from "echarts/components";
import * as echarts from "echarts/core";
import { CanvasRenderer } from "echarts/renderers";
import { useEffect, useRef } from "react";
import { useLang } from "../../i18n/lang.ts";

// Only the parts the chart uses go into the bundle; nothing is fetched at run time.
echarts.use([BarChart, LineChart, GridComponent, LegendComponent, TooltipComponent, CanvasRenderer]);

export type TrendWeek = {
  week_start: string;
  week_end: string;
  visits: number;
  hazards_reported: number;
  hazards_resolved: number;
};

/** Twelve weeks of a grid: visits as bars (left axis), hazards reported and resolved as lines (right axis). */
export function TrendChart(props: { weeks: TrendWeek[] }) {
  const { t, lang } = useLang();
  const el = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!el.current) return;
    const chart = echarts.init(el.current, undefined, { renderer: "canvas", locale: lang === "zh" ? "ZH" : "EN" });
    const labels = props.weeks.map((w) => w.week_end.slice(5).replace("-", "/"));
    chart.setOption({
      animation: false,
      grid: { left: 34, right: 30, top: 30, bottom: 22 },
      legend: { top: 0, itemWidth: 12, itemHeight: 8, textStyle: { fontSize: 11 } },
      tooltip: { trigger: "axis" },
      xAxis: { type: "category", data: labels, axisLabel: { fontSize: 10 } },
      yAxis: [
        { type: "value", minInterval: 1, axisLabel: { fontSize: 10 } },
        { type: "value", minInterval: 1, axisLabel: { fontSize: 10 }, splitLine: { show: false } },
      ],
      series: [
        {
          name: t("workspace.trend.visits"),
          type: "bar",
          data: props.weeks.map((w) => w.visits),
          itemStyle: { color: "#4575b4" },
        },
        {
          name: t("workspace.trend.reported"),
          type: "line",
          yAxisIndex: 1,
          data: props.weeks.map((w) => w.hazards_reported),
          itemStyle: { color: "#d55e00" },
        },
        {
          name: t("workspace.trend.resolved"),
          type: "line",
          yAxisIndex: 1,
          data: props.weeks.map((w) => w.hazards_resolved),
          itemStyle: { color: "#009e73" },
          lineStyle: { type: "dashed" },
        },
      ],
    });
    const resize = () => chart.resize();
    window.addEventListener("resize", resize);
    return () => {
      window.removeEventListener("resize", resize);
      chart.dispose();
    };
  }, [props.weeks, t, lang]);
  return (
    <div ref={el} className="ws-trend" role="img" aria-label={t("workspace.trend.title")} data-testid="trend-chart" />
  );
}
