//! report.html (assess) and index.html (batch): self-contained, deterministic, and — when
//! Debian's `chromium` is installed (`.ci/run` installs it) — opened in headless Chromium:
//! screenshots that are not blank, one map element per parcel, site and project in the DOM,
//! no script errors. Without chromium those checks are skipped with a notice.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use assert_cmd::cargo::cargo_bin;

fn repo(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)
}

/// A fresh scratch folder under the target directory.
fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("report_html-{name}"));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch dir");
    dir
}

fn landpool(args: &[&str]) {
    let out = Command::new(cargo_bin("landpool"))
        .args(args)
        .output()
        .expect("run landpool");
    assert!(
        out.status.success(),
        "landpool {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn assess(out: &Path, lang: &str) {
    let project = repo("data/sample/project.toml");
    let out = out.to_str().expect("utf-8 path");
    let project = project.to_str().expect("utf-8 path");
    landpool(&["assess", project, "--out", out, "--quiet", "--lang", lang]);
}

fn batch(out: &Path) {
    let district = repo("data/sample/district.toml");
    let out = out.to_str().expect("utf-8 path");
    let district = district.to_str().expect("utf-8 path");
    landpool(&["batch", district, "--out", out, "--quiet"]);
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// (parcels, sites) of a report.json.
fn report_counts(report_json: &Path) -> (usize, usize) {
    let v: serde_json::Value = serde_json::from_str(&read(report_json)).expect("report.json");
    let parcels = v["parcels"].as_array().map_or(0, Vec::len);
    let sites = v["siting"]["sites"].as_array().map_or(0, Vec::len);
    (parcels, sites)
}

fn count(haystack: &str, needle: &str) -> usize {
    haystack.matches(needle).count()
}

/// Nothing a page could fetch: no external scripts, styles, images or links.
fn assert_self_contained(html: &str) {
    for bad in [
        "<script src",
        "<link",
        "<img",
        "@import",
        "url(http",
        "https://",
    ] {
        assert!(!html.contains(bad), "page references `{bad}`");
    }
    // The only http: is the SVG namespace, which is a name, not a fetch.
    let http = count(html, "http://");
    let svg_ns = count(html, "http://www.w3.org/2000/svg");
    assert_eq!(http, svg_ns, "page holds a http:// link");
}

#[test]
fn assess_writes_a_deterministic_self_contained_report_html() {
    let dir = scratch("determinism");
    let (a, b) = (dir.join("a"), dir.join("b"));
    assess(&a, "zh");
    assess(&b, "zh");
    let html = read(&a.join("report.html"));
    assert_eq!(html, read(&b.join("report.html")), "report.html differs");
    assert_self_contained(&html);
    let (parcels, sites) = report_counts(&a.join("report.json"));
    assert!(parcels > 0 && sites > 0);
    assert_eq!(count(&html, "<path class=\"parcel "), parcels);
    assert_eq!(count(&html, "<path class=\"site "), sites);
    // Unofficial values come before the figures; Chinese labels by default.
    let warn = html
        .find("id=\"not-official\"")
        .expect("unofficial-values box");
    let figures = html.find("id=\"headline\"").expect("key figures");
    assert!(warn < figures);
    assert!(html.contains("<html lang=\"zh-CN\">") && html.contains("权益容积"));
    for key in [
        "tenure.old_village",
        "shenbiao.zone.1.",
        "function.market_housing",
    ] {
        // Rule keys may break at their dots (`.<wbr>`) in the chain's narrow key column.
        let wrapped = key.replace('.', ".<wbr>");
        assert!(html.contains(&wrapped), "chain lacks {key}");
    }
    assess(&b, "en");
    let en = read(&b.join("report.html"));
    assert!(en.contains("<html lang=\"en\">") && en.contains("rights floor area R"));
}

#[test]
fn batch_writes_index_html_linking_each_project() {
    let dir = scratch("batch");
    batch(&dir.join("a"));
    batch(&dir.join("b"));
    let index = read(&dir.join("a/index.html"));
    assert_eq!(index, read(&dir.join("b/index.html")), "index.html differs");
    assert_self_contained(&index);
    let projects = read(&dir.join("a/projects.csv")).lines().count() - 1;
    assert_eq!(count(&index, "<path class=\"project "), projects);
    for id in ["GM-001", "GM-002"] {
        let href = format!("href=\"projects/{id}/report.html\"");
        assert!(index.contains(&href), "no link {href}");
        let report = read(&dir.join(format!("a/projects/{id}/report.html")));
        assert!(report.contains("href=\"../../index.html\""));
        assert_self_contained(&report);
    }
    // GM-002 is under the 2018 rules: its 2022-only coefficients say why they are empty
    // (five of them), and its base floor area is labelled as such in the rights column.
    assert_eq!(
        count(&index, "title=\"2018 年规则无此项\">n/a"),
        5,
        "2018 row"
    );
    assert!(index.contains("title=\"2018 年规则：基础容积\""));
}

// ---- headless Chromium ----------------------------------------------------------------

const CHROMIUM: &str = "chromium";

fn chromium_installed() -> bool {
    Command::new(CHROMIUM)
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// Runs headless Chromium with a fresh profile; kills it (only it) after two minutes.
/// stdout and stderr go to files beside the profile: a dumped DOM is far larger than a pipe's
/// buffer, and a child blocked on a full pipe would never exit while we only poll it.
fn chromium(args: &[&str], profile: &Path) -> Output {
    let stdout_path = profile.with_extension("stdout");
    let stderr_path = profile.with_extension("stderr");
    let stdout = std::fs::File::create(&stdout_path).expect("chromium stdout file");
    let stderr = std::fs::File::create(&stderr_path).expect("chromium stderr file");
    let mut child = Command::new(CHROMIUM)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
            "--enable-logging=stderr",
            "--v=0",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(args)
        .stdin(Stdio::null())
        .stdout(stdout)
        .stderr(stderr)
        .spawn()
        .expect("start chromium");
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        if start.elapsed() > Duration::from_secs(120) {
            let _ = child.kill();
            let _ = child.wait();
            panic!("chromium did not finish in 120 s: {args:?}");
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    Output {
        status,
        stdout: std::fs::read(&stdout_path).expect("read chromium stdout"),
        stderr: std::fs::read(&stderr_path).expect("read chromium stderr"),
    }
}

fn url(path: &Path) -> String {
    format!("file://{}", path.display())
}

/// The DOM after the page's scripts ran; asserts they ran without errors.
fn dump_dom(page: &Path, profile: &Path) -> String {
    let out = chromium(
        &["--virtual-time-budget=5000", "--dump-dom", &url(page)],
        profile,
    );
    let dom = String::from_utf8_lossy(&out.stdout).into_owned();
    let log = String::from_utf8_lossy(&out.stderr);
    assert!(
        dom.contains("data-ready=\"1\""),
        "script did not finish: {log}"
    );
    assert!(
        !dom.contains("data-js-errors=\""), // the attribute, not the hook script that sets it
        "script errors in {}",
        page.display()
    );
    assert!(!log.contains("Uncaught"), "console: {log}");
    dom
}

/// Takes a 1400×2000 screenshot and checks it is not blank (many colours, mostly not the
/// background), measured by Chromium itself on a canvas.
fn screenshot(page: &Path, png: &Path, profile: &Path) {
    let _ = std::fs::remove_file(png);
    let shot = format!("--screenshot={}", png.display());
    chromium(&[&shot, "--window-size=1400,2000", &url(page)], profile);
    let bytes = std::fs::read(png).unwrap_or_else(|e| panic!("{}: {e}", png.display()));
    assert_eq!(&bytes[1..4], b"PNG", "{} is not a PNG", png.display());
    let (w, h) = (be32(&bytes[16..20]), be32(&bytes[20..24]));
    assert_eq!((w, h), (1400, 2000));
    let checker = png.with_extension("check.html");
    std::fs::write(&checker, pixel_checker(&bytes)).expect("write checker");
    let dom = String::from_utf8_lossy(
        &chromium(
            &["--virtual-time-budget=5000", "--dump-dom", &url(&checker)],
            profile,
        )
        .stdout,
    )
    .into_owned();
    let distinct = attr_number(&dom, "data-distinct");
    let busy = attr_number(&dom, "data-busy");
    println!(
        "screenshot {}: {distinct} colours, {busy:.2} not background",
        png.display()
    );
    assert!(
        distinct >= 30.0,
        "{}: only {distinct} colours",
        png.display()
    );
    assert!(busy >= 0.15, "{}: {busy} not background", png.display());
}

fn be32(b: &[u8]) -> u32 {
    u32::from_be_bytes([b[0], b[1], b[2], b[3]])
}

fn attr_number(dom: &str, name: &str) -> f64 {
    let key = format!("{name}=\"");
    let start = dom
        .find(&key)
        .unwrap_or_else(|| panic!("no {name} in the checker's DOM"))
        + key.len();
    let end = dom[start..].find('"').expect("attribute end") + start;
    dom[start..end].parse().expect("number")
}

/// A page that draws the PNG (a data: URL, so the canvas is readable) and writes the number
/// of distinct colours and the share of pixels unlike the top-left one onto `<body>`.
fn pixel_checker(png: &[u8]) -> String {
    format!(
        "<!DOCTYPE html><html><body><canvas id=c></canvas><script>\
         var i=new Image();i.onload=function(){{var c=document.getElementById('c');\
         c.width=i.width;c.height=i.height;var x=c.getContext('2d');x.drawImage(i,0,0);\
         var d=x.getImageData(0,0,i.width,i.height).data,seen={{}},n=0,busy=0,t=0;\
         for(var p=0;p<d.length;p+=4*7){{var k=(d[p]>>3)+','+(d[p+1]>>3)+','+(d[p+2]>>3);\
         if(!seen[k]){{seen[k]=1;n++;}}t++;if(Math.abs(d[p]-d[0])+Math.abs(d[p+1]-d[1])\
         +Math.abs(d[p+2]-d[2])>24)busy++;}}document.body.setAttribute('data-distinct',n);\
         document.body.setAttribute('data-busy',busy/t);}};\
         i.src='data:image/png;base64,{}';</script></body></html>",
        base64(png)
    )
}

fn base64(bytes: &[u8]) -> String {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut s = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                s.push(A[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                s.push('=');
            }
        }
    }
    s
}

/// The CJK font Chinese labels need (fonts-noto-cjk, installed with chromium by .ci/run).
fn assert_cjk_font() {
    match Command::new("fc-list").arg(":lang=zh").output() {
        Ok(out) => assert!(
            !out.stdout.is_empty(),
            "no Chinese font: Chinese labels would render as boxes (apt-get install fonts-noto-cjk)"
        ),
        Err(_) => println!("fc-list not found: the Chinese font is not checked"),
    }
}

#[test]
fn reports_open_in_headless_chromium() {
    if !chromium_installed() {
        // CI installs Chromium and sets this, so that there a missing browser fails the test.
        assert!(
            std::env::var_os("LANDPOOL_REQUIRE_CHROMIUM").is_none(),
            "LANDPOOL_REQUIRE_CHROMIUM is set but `{CHROMIUM}` is not installed"
        );
        println!(
            "SKIPPED: `{CHROMIUM}` is not installed, report.html / index.html were not opened \
             in a browser (apt-get install chromium fonts-noto-cjk; .ci/run does)"
        );
        return;
    }
    assert_cjk_font();
    let dir = scratch("chromium");
    let profile = dir.join("profile");
    let (project, district) = (dir.join("project"), dir.join("district"));
    assess(&project, "zh");
    batch(&district);

    let report = project.join("report.html");
    let dom = dump_dom(&report, &profile);
    let (parcels, sites) = report_counts(&project.join("report.json"));
    assert_eq!(
        count(&dom, "<path class=\"parcel "),
        parcels,
        "parcel elements"
    );
    assert_eq!(count(&dom, "<path class=\"site "), sites, "site elements");
    screenshot(&report, &dir.join("report.png"), &profile);

    let index = district.join("index.html");
    let dom = dump_dom(&index, &profile);
    let projects = read(&district.join("projects.csv")).lines().count() - 1;
    assert_eq!(
        count(&dom, "<path class=\"project "),
        projects,
        "project elements"
    );
    screenshot(&index, &dir.join("index.png"), &profile);

    let batch_report = district.join("projects/GM-002/report.html");
    dump_dom(&batch_report, &profile);
}

#[test]
fn base64_matches_the_rfc_examples() {
    assert_eq!(base64(b"f"), "Zg==");
    assert_eq!(base64(b"fo"), "Zm8=");
    assert_eq!(base64(b"foob"), "Zm9vYg==");
    assert_eq!(base64(b"foobar"), "Zm9vYmFy");
}
