// Every chart's numbers as an accessible table beside it (what screen
// readers, the printed review and the browser tests read), and the
// sortable event table.

export interface Cell {
  text: string;
  /** What the column sorts by; the text when absent. */
  sort?: number | string;
  /** Marked as a small sample (n below the minimum). */
  small?: boolean;
  /** The text as a button that does this (named by `label`). */
  action?: { label: string; run: () => void };
}

export type Row = Array<Cell | string>;

function cell(c: Cell | string): Cell {
  return typeof c === "string" ? { text: c } : c;
}

export function smallSample(n: number | bigint, minN: number): Cell {
  const small = minN > 0 && Number(n) < minN;
  return { text: Number(n).toLocaleString("en-US"), sort: Number(n), small };
}

/**
 * Fills `containerId` with a table named `label`. With `sortable`, each
 * header is a button that sorts by its column (aria-sort tells which).
 */
export function table(containerId: string, label: string, headers: string[], rows: Row[], sortable = false): HTMLTableElement {
  const container = document.getElementById(containerId)!;
  const t = document.createElement("table");
  t.setAttribute("aria-label", label);
  const head = t.createTHead().insertRow();
  const body = t.createTBody();
  const cells = rows.map((r) => r.map(cell));
  const fill = () => {
    body.replaceChildren();
    for (const r of cells) {
      const tr = body.insertRow();
      if (r.some((c) => c.small)) tr.classList.add("small-sample");
      r.forEach((c, i) => {
        const td = i === 0 ? document.createElement("th") : document.createElement("td");
        if (i === 0) td.scope = "row";
        if (c.action) {
          const button = document.createElement("button");
          button.type = "button";
          button.className = "link";
          button.textContent = c.text;
          button.setAttribute("aria-label", c.action.label);
          button.addEventListener("click", c.action.run);
          td.append(button);
        } else {
          td.textContent = c.text;
        }
        if (c.small) {
          const mark = document.createElement("span");
          mark.className = "badge small";
          mark.textContent = "small sample";
          td.append(" ", mark);
        }
        tr.append(td);
      });
    }
  };
  headers.forEach((h, i) => {
    const th = document.createElement("th");
    th.scope = "col";
    if (!sortable) {
      th.textContent = h;
    } else {
      const button = document.createElement("button");
      button.type = "button";
      button.textContent = h;
      button.addEventListener("click", () => {
        const ascending = th.getAttribute("aria-sort") !== "ascending";
        for (const other of head.cells) other.removeAttribute("aria-sort");
        th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
        const key = (r: Cell[]) => r[i].sort ?? r[i].text;
        cells.sort((a, b) => {
          const x = key(a);
          const y = key(b);
          const order = typeof x === "number" && typeof y === "number" ? x - y : String(x).localeCompare(String(y));
          return ascending ? order : -order;
        });
        fill();
      });
      th.append(button);
    }
    head.append(th);
  });
  fill();
  if (rows.length === 0) {
    const tr = body.insertRow();
    const td = tr.insertCell();
    td.colSpan = headers.length;
    td.textContent = "No data in this range.";
  }
  const box = document.createElement("div");
  box.className = "table-box";
  box.append(t);
  container.replaceChildren(box);
  return t;
}

/** A section's error in place of its content. */
export function failure(containerId: string, what: string, err: unknown): void {
  const p = document.createElement("p");
  p.className = "error";
  p.setAttribute("role", "alert");
  p.textContent = `${what}: ${err instanceof Error ? err.message : String(err)}`;
  document.getElementById(containerId)!.replaceChildren(p);
}
