import type { ComponentChildren } from "preact";
import { useEffect, useRef } from "preact/hooks";
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import { percent } from "./format.js";
import type { JobStatusName } from "./types.js";

/** A job's status as a coloured label. */
export function StatusBadge({ status }: { status: JobStatusName | string }) {
  return <span class={`badge badge-${status}`}>{status}</span>;
}

/** A labelled progress bar with the current phase. */
export function Progress({ value, phase, label }: { value: number; phase?: string | undefined; label: string }) {
  return (
    <div class="progress-wrap">
      <progress max={1} value={value} aria-label={label}>
        {percent(value)}
      </progress>
      <span class="progress-text">
        {percent(value)}
        {phase ? ` · ${phase}` : ""}
      </span>
    </div>
  );
}

/** An error or notice for the reader, announced to screen readers. */
export function Notice({ kind = "error", children }: { kind?: "error" | "info" | "success"; children: ComponentChildren }) {
  return (
    <p class={`notice notice-${kind}`} role={kind === "error" ? "alert" : "status"}>
      {children}
    </p>
  );
}

/** A line chart over time: one x series of Unix seconds and named y series. */
export function TimeChart(props: { title: string; x: number[]; series: Array<{ label: string; values: Array<number | null>; color: string }> }) {
  const host = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const element = host.current;
    if (!element || props.x.length === 0) return;
    const width = Math.max(280, Math.min(element.clientWidth || 600, 900));
    const plot = new uPlot(
      {
        width,
        height: 220,
        series: [{}, ...props.series.map((s) => ({ label: s.label, stroke: s.color, width: 2, points: { show: true } }))],
        axes: [{}, { size: 60 }],
      },
      [props.x, ...props.series.map((s) => s.values)] as uPlot.AlignedData,
      element,
    );
    return () => plot.destroy();
  }, [props.x, props.series]);
  return (
    <figure class="chart">
      <figcaption>{props.title}</figcaption>
      {props.x.length === 0 ? <p class="muted">No finished jobs yet.</p> : <div ref={host} role="img" aria-label={props.title} />}
    </figure>
  );
}
