//! The CSS and JavaScript inlined in every page (no network: the pages are read offline on
//! office machines). Fonts are the system's: Microsoft YaHei on Windows, PingFang on macOS,
//! Noto Sans CJK on Linux, so that Chinese renders everywhere.

/// The style sheet.
pub(super) const CSS: &str = r#"
*{box-sizing:border-box}
body{margin:0;background:#eef1f5;color:#1d2330;font:14px/1.5 "Microsoft YaHei","PingFang SC","Noto Sans CJK SC","Noto Sans SC","Source Han Sans SC","Helvetica Neue",Arial,sans-serif}
main{max-width:1400px;margin:0 auto;padding:12px 20px 40px}
nav{position:sticky;top:0;z-index:5;background:#23395d;padding:6px 20px;display:flex;flex-wrap:wrap;gap:4px 18px}
nav a{color:#fff;text-decoration:none;font-size:13px}
nav a:hover{text-decoration:underline}
header h1{font-size:22px;margin:10px 0 2px}
.project-name{font-size:17px;margin:0 0 8px;color:#23395d;font-weight:bold}
section{background:#fff;border-radius:6px;box-shadow:0 1px 3px rgba(0,0,0,.08);padding:12px 18px 16px;margin:14px 0}
h2{font-size:17px;margin:2px 0 10px;color:#23395d;border-bottom:2px solid #e3e8ef;padding-bottom:4px}
h3{font-size:14.5px;margin:8px 0 4px}
code{font:12px Consolas,"DejaVu Sans Mono",monospace;background:#f1f3f7;padding:0 3px;border-radius:2px;overflow-wrap:anywhere}
.facts{display:flex;flex-wrap:wrap;gap:6px 28px;margin:6px 0}
.facts div{min-width:120px;max-width:100%}
.facts dt{font-size:12px;color:#5d6778}
.facts dd{margin:0;font-weight:bold}
.note{color:#5d6778;font-size:12.5px;margin:6px 0}
.not-official{background:#fff4f2;border:2px solid #d9480f}
.not-official h2{color:#c92a2a;border-color:#ffc9c9}
.official-ok{background:#ebfbee;border:1px solid #8ce99a}
.flag-note{color:#c92a2a}
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(190px,1fr));gap:10px}
.card{border:1px solid #dbe1ea;border-radius:5px;padding:8px 10px;background:#fafbfd}
.card.flagged{border-color:#f08c00;background:#fff9eb}
.card.flagged .card-label::after{content:" ⚠";color:#e8590c}
.card-label{font-size:12px;color:#5d6778}
.card-value{font-size:18px;font-weight:bold;font-variant-numeric:tabular-nums}
table{border-collapse:collapse;width:100%;font-size:13px}
th,td{border-bottom:1px solid #e3e8ef;padding:4px 8px;text-align:left;vertical-align:top}
th{background:#f1f4f9;position:sticky;top:0;z-index:1}
td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
.scroll{max-height:620px;overflow:auto;border:1px solid #e3e8ef}
table.sortable th{cursor:pointer;user-select:none;white-space:nowrap}
table.sortable th::after{content:" ↕";color:#aab}
table.sortable th[data-sort=asc]::after{content:" ▲";color:#23395d}
table.sortable th[data-sort=desc]::after{content:" ▼";color:#23395d}
tbody tr:hover{background:#f3f7ff}
tr.flash{background:#fff3bf}
.hide-outside tr.r-outside,tr.filtered{display:none}
.table-tools{margin:0 0 8px;display:flex;gap:18px;flex-wrap:wrap}
.badge{display:inline-block;padding:0 6px;border-radius:3px;font-size:12px;white-space:nowrap;background:#e9ecef}
.b-official{background:#d3f9d8;color:#1b5e20}
.b-draft{background:#fff3bf;color:#7a5900}
.b-illustrative{background:#ffe3e3;color:#a4161a;font-weight:bold}
.b-violation{background:#c92a2a;color:#fff}
.b-warning{background:#ffd8a8;color:#7c3a00}
.b-info{background:#d0ebff;color:#0b4f8a}
tr.st-illustrative td:first-child{border-left:3px solid #e03131}
.chain{padding-left:22px;margin:0}
.chain>li{margin:0 0 14px}
.formula{font:14px "Cambria Math","STIX Two Math","Times New Roman",serif;background:#f6f8fb;border-left:3px solid #3b5b92;padding:6px 10px;margin:3px 0;overflow-x:auto}
.coefs{margin-top:4px}
.map-controls{display:flex;flex-wrap:wrap;gap:6px 14px;align-items:center;margin:0 0 6px}
.map-controls .sep{width:1px;height:16px;background:#ccd}
.map-row{display:flex;gap:14px;align-items:flex-start}
.map-wrap{flex:1;min-width:0}
.map{display:block;width:100%;height:auto;max-height:1100px;background:#f4f6f8;border:1px solid #c7ced9;border-radius:4px}
.map path{vector-effect:non-scaling-stroke;fill-rule:evenodd}
.legend{width:250px;flex:none;font-size:12.5px}
.lg-item{display:flex;align-items:center;gap:6px;margin:2px 0}
.lg-item svg{flex:none}
.lg-item rect{vector-effect:non-scaling-stroke}
.lg-n{margin-left:auto;color:#5d6778}
.lg-tenure,.legend[data-mode=by-tenure] .lg-status{display:none}
.legend[data-mode=by-tenure] .lg-tenure{display:block}
.lg-status,.lg-tenure{border-bottom:1px solid #e3e8ef;padding-bottom:6px;margin-bottom:6px}
.parcel{stroke:#fff;stroke-width:.6px;fill:#d9dde3}
.by-status .s-counted,.badge.s-counted,.lg-status .s-counted{fill:#74b96b;background:#d3f0cf}
.by-status .s-excluded,.badge.s-excluded,.lg-status .s-excluded{fill:#f5a25d;background:#ffe0c2}
.by-status .s-sliver,.badge.s-sliver,.lg-status .s-sliver{fill:#e9d36b;background:#fff3bf}
.by-status .s-outside,.badge.s-outside,.lg-status .s-outside{fill:#dfe2e6;background:#eceef1}
.by-status .s-geometry_error,.badge.s-geometry_error,.lg-status .s-geometry_error{fill:#e03131;background:#ffc9c9}
.by-tenure .t-collective_nonagri_commercial,.lg-tenure .t-collective_nonagri_commercial{fill:#e15759}
.by-tenure .t-collective_nonagri_industrial,.lg-tenure .t-collective_nonagri_industrial{fill:#9c755f}
.by-tenure .t-unfinished_requisition,.lg-tenure .t-unfinished_requisition{fill:#f28e2b}
.by-tenure .t-requisition_return,.lg-tenure .t-requisition_return{fill:#edc948}
.by-tenure .t-old_village,.lg-tenure .t-old_village{fill:#b07aa1}
.by-tenure .t-requisitioned_ungranted,.lg-tenure .t-requisitioned_ungranted{fill:#76b7b2}
.by-tenure .t-state_granted,.lg-tenure .t-state_granted{fill:#4e79a7}
.by-tenure .t-state_reserve,.lg-tenure .t-state_reserve{fill:#59a14f}
.by-tenure .t-unclassified,.lg-tenure .t-unclassified{fill:#e4e6ea}
.parcel:hover,.parcel.hl{stroke:#111;stroke-width:2.5px}
.zone{fill:none;stroke:#0b7285;stroke-width:2px;stroke-dasharray:9 5;pointer-events:none}
.lg-item .zone{fill:none}
.zone-label{fill:#0b7285;font-weight:bold;paint-order:stroke;stroke:#fff;stroke-width:3px;pointer-events:none}
.hide-zones .zones,.hide-zones .zone-labels,.hide-sites .sites{display:none}
.boundary{fill:none;stroke:#1d2330;stroke-width:3.5px}
.site{stroke-width:2.5px}
.site.p-inside{fill:rgba(25,113,194,.72);stroke:#1864ab}
.site.p-outside{fill:rgba(112,72,232,.72);stroke:#5f3dc4}
.site.p-straddling{fill:rgba(214,51,108,.72);stroke:#a61e4d}
.badge.p-inside{background:#d0ebff}.badge.p-outside{background:#e5dbff}.badge.p-straddling{background:#ffdeeb}
.site:hover,.site.hl{stroke:#111;stroke-width:4px}
.conflict,.map .conflict{stroke:#e03131;stroke-width:3px;stroke-dasharray:5 3}
.lg-item rect.conflict{fill:#fff}
.lg-item rect.boundary{fill:#fff}
.district-parcel{fill:#eceef1;stroke:#fff;stroke-width:.4px;pointer-events:none}
.project{stroke:#1d2330;stroke-width:2px}
.project.ps-ok,.badge.ps-ok{fill:rgba(64,160,80,.5);background:#d3f0cf}
.project.ps-findings,.badge.ps-findings{fill:rgba(245,130,32,.5);background:#ffe0c2}
.project.ps-failed,.badge.ps-failed{fill:rgba(224,49,49,.5);background:#ffc9c9}
.project-label{fill:#1d2330;font-weight:bold;paint-order:stroke;stroke:#fff;stroke-width:4px;pointer-events:none}
#projects td,.nowrap{white-space:nowrap}
#projects td:last-child{white-space:normal;min-width:200px}
.project:hover{stroke-width:4px}
.scalebar text,.north text{fill:#1d2330}
.sb-bg{fill:rgba(255,255,255,.88);stroke:#aab}
.sb-dark{fill:#1d2330}
.sb-light{fill:#fff;stroke:#1d2330}
.scalebar rect,.north path{vector-effect:non-scaling-stroke}
#tip{position:fixed;z-index:10;max-width:380px;background:rgba(29,35,48,.94);color:#fff;padding:6px 9px;border-radius:4px;font-size:12.5px;white-space:pre-line;pointer-events:none}
.warnings{margin:4px 0;padding-left:20px}
tr.sev-violation td{background:#fff5f5}
@media (max-width:900px){.map-row{display:block}.legend{width:auto}}
@media print{nav{display:none}.scroll{max-height:none}section{box-shadow:none}}
"#;

/// Runs first: records every script error on `<body data-js-errors>`, where a reader (or the
/// test, through the DOM) sees it.
pub(super) const ERROR_HOOK: &str = r#"(function(){var b=document.body;function rec(m){b.setAttribute('data-js-errors',(b.getAttribute('data-js-errors')||'')+m+'\n');}window.addEventListener('error',function(e){rec((e.message||'error')+' (line '+(e.lineno||'?')+')');});var ce=console.error;console.error=function(){rec(Array.prototype.join.call(arguments,' '));return ce.apply(console,arguments);};})();"#;

/// Hover texts, colour mode and layer switches, sortable and filterable tables, and the
/// link between table rows and map shapes.
pub(super) const JS: &str = r#"(function(){'use strict';
var tip=document.getElementById('tip');
function each(sel,f,root){Array.prototype.forEach.call((root||document).querySelectorAll(sel),f);}
document.addEventListener('mousemove',function(e){
  var el=e.target&&e.target.closest?e.target.closest('[data-tip]'):null;
  var t=el?el.getAttribute('data-tip'):'';
  if(!t){tip.hidden=true;return;}
  tip.textContent=t;tip.hidden=false;
  var x=e.clientX+14,y=e.clientY+14,r=tip.getBoundingClientRect();
  if(x+r.width>window.innerWidth)x=e.clientX-r.width-14;
  if(y+r.height>window.innerHeight)y=e.clientY-r.height-14;
  tip.style.left=Math.max(0,x)+'px';tip.style.top=Math.max(0,y)+'px';
});
var map=document.querySelector('svg.map');
var legend=document.querySelector('.legend');
each('input[name=colour]',function(r){r.addEventListener('change',function(){
  if(!map)return;map.classList.remove('by-status','by-tenure');map.classList.add(r.value);
  if(legend)legend.setAttribute('data-mode',r.value);});});
each('.layer-toggle',function(cb){cb.addEventListener('change',function(){
  if(map)map.classList.toggle('hide-'+cb.value,!cb.checked);});});
function cmp(a,b){return a<b?-1:a>b?1:0;}
each('table.sortable',function(t){
  var ths=t.tHead.rows[0].cells;
  Array.prototype.forEach.call(ths,function(th,i){th.addEventListener('click',function(){
    var asc=th.getAttribute('data-sort')!=='asc',num=th.getAttribute('data-num')==='1';
    Array.prototype.forEach.call(ths,function(o){o.removeAttribute('data-sort');});
    th.setAttribute('data-sort',asc?'asc':'desc');
    var body=t.tBodies[0],rows=Array.prototype.slice.call(body.rows);
    var keys=rows.map(function(r,j){var c=r.cells[i],k;
      if(num){k=c?parseFloat(c.getAttribute('data-v')):NaN;if(isNaN(k))k=-Infinity;}
      else k=c?c.textContent:'';return {r:r,k:k,j:j};});
    keys.sort(function(a,b){var d=num?cmp(a.k,b.k):a.k.localeCompare(b.k,'zh-CN',{numeric:true});
      if(!asc)d=-d;return d||a.j-b.j;});
    var f=document.createDocumentFragment();keys.forEach(function(o){f.appendChild(o.r);});
    body.appendChild(f);});});
});
each('.toggle-outside',function(cb){cb.addEventListener('change',function(){
  var w=document.getElementById(cb.getAttribute('data-table')+'-wrap');
  if(w)w.classList.toggle('hide-outside',!cb.checked);});});
each('input.filter',function(inp){inp.addEventListener('input',function(){
  var q=inp.value.trim().toLowerCase(),t=document.getElementById(inp.getAttribute('data-table'));
  if(!t)return;each('tbody tr',function(r){
    r.classList.toggle('filtered',q!==''&&r.textContent.toLowerCase().indexOf(q)<0);},t);});});
var shapes={};
each('svg.map path[data-id]',function(p){var id=p.getAttribute('data-id');if(id&&!shapes[id])shapes[id]=p;});
each('#parcels tbody tr[data-id],#sites tbody tr[data-id]',function(r){
  var p=shapes[r.getAttribute('data-id')];if(!p)return;
  r.addEventListener('mouseenter',function(){p.classList.add('hl');});
  r.addEventListener('mouseleave',function(){p.classList.remove('hl');});});
if(map)map.addEventListener('click',function(e){
  var p=e.target.closest?e.target.closest('path[data-id]'):null;if(!p)return;
  var rows=document.querySelectorAll('#parcels tr[data-id],#sites tr[data-id]'),row=null;
  for(var i=0;i<rows.length;i++){if(rows[i].getAttribute('data-id')===p.getAttribute('data-id')){row=rows[i];break;}}
  if(!row)return;
  if(row.classList.contains('r-outside')){var w=document.getElementById('parcels-wrap'),cb=document.querySelector('.toggle-outside');
    if(w)w.classList.remove('hide-outside');if(cb)cb.checked=true;}
  row.scrollIntoView({block:'center'});row.classList.add('flash');
  setTimeout(function(){row.classList.remove('flash');},1500);});
document.body.setAttribute('data-ready','1');
})();"#;
