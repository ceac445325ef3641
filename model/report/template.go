package report

import "html/template"

// page is the report template. It is parsed once and only executed
// afterwards, which html/template allows concurrently.
var page = template.Must(template.New("report").Parse(pageHTML))

const pageHTML = `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}}</title>
<style>
:root{color-scheme:light}
*{box-sizing:border-box}
body{margin:0;font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;color:#1a1a1a;background:#f4f5f7}
main{max-width:1120px;margin:0 auto;padding:16px}
h1{font-size:1.6rem;margin:.2em 0}
h2{font-size:1.2rem;margin:.1em 0 .5em}
h3{font-size:1rem;margin:.8em 0 .3em}
.sub,.note,figcaption{color:#454545}
.note,figcaption{font-size:.88rem}
section{background:#fff;border:1px solid #d8dce2;border-radius:8px;padding:12px 16px;margin:14px 0}
.headline{padding:8px 12px;border-left:5px solid #0072B2;background:#eaf3fa;margin:8px 0}
.headline.bad{border-color:#B3261E;background:#fcebea}
.headline p{margin:.2em 0}
.scroll{overflow-x:auto;-webkit-overflow-scrolling:touch}
table{border-collapse:collapse;width:100%;font-variant-numeric:tabular-nums}
th,td{padding:4px 8px;border-bottom:1px solid #e3e6eb;text-align:right;white-space:nowrap;vertical-align:middle}
th{background:#eef0f3;font-weight:600;white-space:normal;min-width:4.5em;line-height:1.25}
th.text{text-align:left}
th:first-child,td:first-child{text-align:left}
td.text{white-space:normal;text-align:left;min-width:12em}
tr.baseline td{color:#454545;background:#f7f7f8;font-style:italic}
tr.best td{font-weight:700}
.grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(min(100%,440px),1fr));gap:12px}
.multiples{display:grid;grid-template-columns:repeat(auto-fill,minmax(min(100%,240px),1fr));gap:10px}
figure{margin:0}
svg.chart{width:100%;height:auto;display:block}
svg.bar{vertical-align:middle;margin-left:6px}
svg.key{vertical-align:middle}
pre{overflow-x:auto;background:#f4f5f7;padding:8px;border-radius:4px;font-size:13px;line-height:1.35}
.chip{display:inline-block;background:#eef0f3;border-radius:4px;padding:0 6px;margin:1px 2px;font-size:.85rem;white-space:nowrap}
dl{display:grid;grid-template-columns:max-content 1fr;gap:2px 16px;margin:0}
dt{font-weight:600}
dd{margin:0;overflow-wrap:anywhere}
@media (max-width:600px){main{padding:6px}section{padding:8px 10px}body{font-size:14px}th,td{padding:3px 5px}}
</style>
</head>
<body>
<main>
<header>
<h1>{{.Title}}</h1>
{{with .Subtitle}}<p class="sub">{{.}}</p>{{end}}
<p class="sub">{{.DatasetLine}}</p>
{{with .Description}}<p>{{.}}</p>{{end}}
</header>

<section id="results">
<h2>Results on the {{.EvalSplit}} split against trivial baselines</h2>
{{if .Headline}}<div class="headline{{if .HeadlineBad}} bad{{end}}">{{range .Headline}}<p>{{.}}</p>{{end}}</div>{{end}}
{{if .Results}}
<div class="scroll"><table>
<thead><tr><th>evaluation</th><th>micro-F1</th><th>macro-F1</th><th>micro precision</th><th>micro recall</th><th>macro precision</th><th>macro recall</th><th>label accuracy</th><th>exact match</th><th>samples F1</th></tr></thead>
<tbody>
{{range .Results}}<tr{{if .Baseline}} class="baseline"{{end}}><td class="text">{{.Name}}{{with .Note}}<br><span class="note">{{.}}</span>{{end}}</td><td>{{.MicroF1}}{{.MicroBar}}</td><td>{{.MacroF1}}{{.MacroBar}}</td><td>{{.MicroP}}</td><td>{{.MicroR}}</td><td>{{.MacroP}}</td><td>{{.MacroR}}</td><td>{{.LabelAcc}}</td><td>{{.SubsetAcc}}</td><td>{{.SamplesF1}}</td></tr>
{{end}}</tbody>
</table></div>
{{with .ScoredOn}}<p class="note">{{.}}</p>{{end}}
<p class="note">Micro scores pool every poster×genre decision, so frequent genres dominate; macro scores average the genres equally, so rare genres count as much as Drama. Label accuracy is the fraction of poster×genre cells right: with few genres per poster, predicting nothing already scores high, so never read it alone. Exact match requires the whole genre set to be right. Precision with no predicted positives, and recall with no true positives, count as 0 (scikit-learn's zero_division=0).</p>
{{else}}<p class="note">No results given.</p>{{end}}
</section>

<section id="learning">
<h2>Learning curves</h2>
{{if .HasEpochs}}<div class="grid"><figure>{{.LossChart}}</figure><figure>{{.F1Chart}}</figure></div>
<p class="note">Dashed grey lines on the F1 chart are the micro-F1 of the trivial baselines; a useful model ends well above them. Validation loss rising while training loss falls means overfitting.</p>
{{else}}<p class="note">No epochs recorded.</p>{{end}}
</section>

<section id="genres">
<h2>Per genre</h2>
{{if .Genres}}
<div class="scroll"><table>
<thead><tr><th>genre</th><th>F1</th><th>precision</th><th>recall</th><th>support</th><th>threshold</th><th>AP</th><th>all-genre F1</th><th>train posters</th></tr></thead>
<tbody>
{{range .Genres}}<tr><td>{{.Label}}</td><td>{{.F1}}{{.F1Bar}}</td><td>{{.P}}</td><td>{{.R}}</td><td>{{.Support}}</td><td>{{.Threshold}}</td><td>{{.AP}}</td><td>{{.AllF1}}</td><td>{{.Train}}</td></tr>
{{end}}</tbody>
</table></div>
<p class="note">Support is the number of {{.EvalSplit}} posters with the genre. The bar shows F1 on a 0–1 scale; its black tick is the F1 of predicting the genre for every poster (2p/(1+p) for prevalence p), the best a model that ignores the image can expect. AP is average precision over all thresholds.</p>
{{else}}<p class="note">No per-genre scores given.</p>{{end}}
</section>

<section id="curves">
<h2>Precision-recall curves</h2>
{{if .Curves}}
<p class="note">{{.CurveKey}}</p>
<div class="multiples">
{{range .Curves}}<figure>{{.Chart}}<figcaption>{{.Caption}}</figcaption></figure>
{{end}}</div>
{{else}}<p class="note">No curves given.</p>{{end}}
</section>

<section id="experiments">
<h2>Experiments</h2>
{{if .Exps}}
<div class="scroll"><table>
<thead><tr><th>experiment</th><th>micro-F1</th><th>macro-F1</th><th class="text">note</th><th class="text">settings</th></tr></thead>
<tbody>
{{range .Exps}}<tr{{if .Best}} class="best"{{end}}><td class="text">{{.Name}}</td><td>{{.MicroF1}}{{.MicroBar}}</td><td>{{.MacroF1}}{{.MacroBar}}</td><td class="text">{{.Note}}</td><td class="text">{{range .Params}}<span class="chip">{{.Key}}={{.Value}}</span> {{end}}</td></tr>
{{end}}</tbody>
</table></div>
<p class="note">Bold: highest micro-F1.</p>
{{else}}<p class="note">No experiments recorded.</p>{{end}}
</section>

<section id="dataset">
<h2>Dataset</h2>
{{if .Labels}}
<div class="scroll"><table>
<thead><tr><th>genre</th><th>train posters</th><th>train share</th><th>{{$.EvalSplit}} posters</th><th>{{$.EvalSplit}} share</th></tr></thead>
<tbody>
{{range .Labels}}<tr><td>{{.Label}}</td><td>{{.Train}}{{.Bar}}</td><td>{{.TrainPct}}</td><td>{{.Val}}</td><td>{{.ValPct}}</td></tr>
{{end}}</tbody>
</table></div>
<p class="note">A poster can have several genres, so shares add up to more than 100%.</p>
{{else}}<p class="note">No labels given.</p>{{end}}
</section>

<section id="config">
<h2>Configuration and model</h2>
{{if .Config}}<dl>{{range .Config}}<dt>{{.Key}}</dt><dd>{{.Value}}</dd>{{end}}</dl>{{else}}<p class="note">No configuration given.</p>{{end}}
{{with .Summary}}<h3>Model summary</h3><pre>{{.}}</pre>{{end}}
</section>
</main>
</body>
</html>
`
