import { BarChart, LineChart } from "echarts/charts";
import { GridComponent, LegendComponent, TooltipComponent } from "echarts/components";
import * as echarts from "echarts/core";
import { CanvasRenderer } from "echarts/renderers";
import { useEffect, useRef } from "react";

// Only what this chart draws is bundled (ECharts' tree-shakable core).
echarts.use([BarChart, LineChart, GridComponent, LegendComponent, TooltipComponent, CanvasRenderer]);

export type MonthRow = { month: string; opened: number; resolved: number; verified: number };

/** Hazards reported, resolved and verified (closed) per month: bars for the flow in, lines for the flows out. */
export default function MonthChart(props: {
  months: MonthRow[];
  labels: { opened: string; resolved: string; verified: string };
}) {
  const el = useRef<HTMLDivElement>(null);
  const chart = useRef<echarts.ECharts | null>(null);

  useEffect(() => {
    if (!el.current) return;
    chart.current = echarts.init(el.current, undefined, { renderer: "canvas" });
    const resize = () => chart.current?.resize();
    window.addEventListener("resize", resize);
    return () => {
      window.removeEventListener("resize", resize);
      chart.current?.dispose();
      chart.current = null;
    };
  }, []);

  useEffect(() => {
    chart.current?.setOption(
      {
        animation: false,
        grid: { left: 30, right: 8, top: 28, bottom: 22 },
        legend: { top: 0, itemWidth: 12, itemHeight: 8, textStyle: { fontSize: 11 } },
        tooltip: { trigger: "axis" },
        xAxis: { type: "category", data: props.months.map((m) => m.month.slice(2)), axisLabel: { fontSize: 10 } },
        yAxis: { type: "value", minInterval: 1, axisLabel: { fontSize: 10 } },
        series: [
          { name: props.labels.opened, type: "bar", data: props.months.map((m) => m.opened), color: "#d62828" },
          { name: props.labels.resolved, type: "line", data: props.months.map((m) => m.resolved), color: "#2b9348" },
          { name: props.labels.verified, type: "line", data: props.months.map((m) => m.verified), color: "#1d3557" },
        ],
      },
      true,
    );
  }, [props.months, props.labels]);

  return <div ref={el} className="lm-chart" data-testid="leader-chart" />;
}
