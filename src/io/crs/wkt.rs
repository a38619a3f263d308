//! A small, strict parser of WKT CRS text (WKT1 as OGC, ESRI and GDAL write it, and WKT2):
//! `KEYWORD["name", 1.5, NODE[...], BARE_WORD]`, with `[ ]` or `( )` as brackets.
//!
//! Strict on purpose: text that is not well-formed WKT is an error, so that a damaged `.prj`
//! is reported rather than read as some default CRS.

/// One item inside a WKT node's brackets.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum WktItem {
    /// A quoted string (`""` inside it stands for one `"`).
    Text(String),
    /// A number.
    Number(f64),
    /// An unquoted word such as `EAST` or `NORTH` (axis directions, enumerations).
    Word(String),
    /// A nested node.
    Node(WktNode),
}

/// A WKT node: its keyword (upper case) and the items in its brackets.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct WktNode {
    /// The keyword, upper-cased (`PROJCS`, `UNIT`, `LENGTHUNIT`, ...).
    pub keyword: String,
    /// The items, in order.
    pub items: Vec<WktItem>,
}

/// Nesting deeper than this is refused (real CRS definitions nest less than 10 levels), so
/// that hostile input cannot exhaust the stack.
const MAX_DEPTH: usize = 64;

impl WktNode {
    /// Parses a whole WKT text: exactly one node, nothing but white space after it.
    pub(super) fn parse(text: &str) -> Result<WktNode, String> {
        let mut p = Parser {
            chars: text.char_indices().collect(),
            pos: 0,
        };
        p.skip_space();
        let node = p.node(0)?;
        p.skip_space();
        if p.pos < p.chars.len() {
            return Err(format!(
                "unexpected text after the end of the WKT at character {}",
                p.pos + 1
            ));
        }
        Ok(node)
    }

    /// The first quoted string (the node's name, for CRS, datum, unit ... nodes).
    pub(super) fn name(&self) -> Option<&str> {
        self.items.iter().find_map(|i| match i {
            WktItem::Text(s) => Some(s.as_str()),
            _ => None,
        })
    }

    /// The `n`-th number among the items.
    pub(super) fn number(&self, n: usize) -> Option<f64> {
        self.items
            .iter()
            .filter_map(|i| match i {
                WktItem::Number(v) => Some(*v),
                _ => None,
            })
            .nth(n)
    }

    /// The child nodes.
    pub(super) fn children(&self) -> impl Iterator<Item = &WktNode> {
        self.items.iter().filter_map(|i| match i {
            WktItem::Node(n) => Some(n),
            _ => None,
        })
    }

    /// The first child node with one of `keywords`.
    pub(super) fn child(&self, keywords: &[&str]) -> Option<&WktNode> {
        self.children()
            .find(|n| keywords.contains(&n.keyword.as_str()))
    }

    /// The child nodes with one of `keywords`.
    pub(super) fn children_named<'a>(
        &'a self,
        keywords: &'a [&'a str],
    ) -> impl Iterator<Item = &'a WktNode> + 'a {
        self.children()
            .filter(move |n| keywords.contains(&n.keyword.as_str()))
    }

    /// The first node with one of `keywords` anywhere below this one (depth first).
    pub(super) fn find(&self, keywords: &[&str]) -> Option<&WktNode> {
        self.children().find_map(|c| {
            if keywords.contains(&c.keyword.as_str()) {
                Some(c)
            } else {
                c.find(keywords)
            }
        })
    }

    /// The EPSG code of this node's own `AUTHORITY["EPSG","n"]` / `ID["EPSG",n]`.
    pub(super) fn epsg(&self) -> Option<u32> {
        self.children_named(&["AUTHORITY", "ID"])
            .filter(|a| a.name().is_some_and(|n| n.eq_ignore_ascii_case("EPSG")))
            .find_map(|a| {
                a.items.iter().skip(1).find_map(|i| match i {
                    WktItem::Number(v) if v.fract() == 0.0 && *v > 0.0 && *v < 4e9 => {
                        Some(*v as u32)
                    }
                    WktItem::Text(s) => s.trim().parse().ok(),
                    _ => None,
                })
            })
    }
}

struct Parser {
    chars: Vec<(usize, char)>,
    pos: usize,
}

impl Parser {
    fn peek(&self) -> Option<char> {
        self.chars.get(self.pos).map(|&(_, c)| c)
    }

    fn skip_space(&mut self) {
        while self.peek().is_some_and(char::is_whitespace) {
            self.pos += 1;
        }
    }

    fn word(&mut self) -> String {
        let mut s = String::new();
        while let Some(c) = self
            .peek()
            .filter(|c| c.is_ascii_alphanumeric() || *c == '_')
        {
            s.push(c);
            self.pos += 1;
        }
        s
    }

    fn node(&mut self, depth: usize) -> Result<WktNode, String> {
        if depth > MAX_DEPTH {
            return Err("the WKT nests too deeply".into());
        }
        let at = self.pos + 1;
        let keyword = self.word();
        if keyword.is_empty() || !keyword.starts_with(|c: char| c.is_ascii_alphabetic()) {
            return Err(format!("expected a WKT keyword at character {at}"));
        }
        self.skip_space();
        let close = match self.peek() {
            Some('[') => ']',
            Some('(') => ')',
            _ => return Err(format!("expected `[` after `{keyword}`")),
        };
        self.pos += 1;
        let mut items = Vec::new();
        loop {
            self.skip_space();
            if items.is_empty() && self.peek() == Some(close) {
                self.pos += 1;
                break;
            }
            items.push(self.item(depth)?);
            self.skip_space();
            match self.peek() {
                Some(',') => self.pos += 1,
                Some(c) if c == close => {
                    self.pos += 1;
                    break;
                }
                _ => {
                    return Err(format!(
                        "expected `,` or `{close}` in `{keyword}[...]` at character {}",
                        self.pos + 1
                    ));
                }
            }
        }
        Ok(WktNode {
            keyword: keyword.to_ascii_uppercase(),
            items,
        })
    }

    fn item(&mut self, depth: usize) -> Result<WktItem, String> {
        match self.peek() {
            Some('"') => self.text().map(WktItem::Text),
            Some(c) if c.is_ascii_digit() || matches!(c, '-' | '+' | '.') => {
                self.number().map(WktItem::Number)
            }
            Some(c) if c.is_ascii_alphabetic() => {
                let start = self.pos;
                let word = self.word();
                self.skip_space();
                if matches!(self.peek(), Some('[' | '(')) {
                    self.pos = start;
                    self.node(depth + 1).map(WktItem::Node)
                } else {
                    Ok(WktItem::Word(word))
                }
            }
            _ => Err(format!("unexpected character at {}", self.pos + 1)),
        }
    }

    fn text(&mut self) -> Result<String, String> {
        self.pos += 1;
        let mut s = String::new();
        loop {
            match self.peek() {
                None => return Err("unterminated quoted string in the WKT".into()),
                Some('"') => {
                    self.pos += 1;
                    if self.peek() == Some('"') {
                        s.push('"');
                        self.pos += 1;
                    } else {
                        return Ok(s);
                    }
                }
                Some(c) => {
                    s.push(c);
                    self.pos += 1;
                }
            }
        }
    }

    fn number(&mut self) -> Result<f64, String> {
        let start = self.pos;
        while self
            .peek()
            .is_some_and(|c| c.is_ascii_digit() || matches!(c, '-' | '+' | '.' | 'e' | 'E'))
        {
            self.pos += 1;
        }
        let s: String = self.chars[start..self.pos]
            .iter()
            .map(|&(_, c)| c)
            .collect();
        s.parse::<f64>()
            .ok()
            .filter(|v| v.is_finite())
            .ok_or_else(|| format!("`{s}` is not a number (character {})", start + 1))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_nested_nodes_words_numbers_and_quotes() {
        let n = WktNode::parse(
            r#" PROJCS["a ""b""", GEOGCS("g", UNIT["degree", 1.5e-2]), AXIS["x", EAST], UNIT["m",1]] "#,
        )
        .unwrap();
        assert_eq!(n.keyword, "PROJCS");
        assert_eq!(n.name(), Some(r#"a "b""#));
        let g = n.child(&["GEOGCS"]).unwrap();
        assert_eq!(g.child(&["UNIT"]).unwrap().number(0), Some(0.015));
        assert_eq!(
            n.child(&["AXIS"]).unwrap().items[1],
            WktItem::Word("EAST".into())
        );
        assert_eq!(n.find(&["UNIT"]).unwrap().name(), Some("degree"));
    }

    #[test]
    fn garbage_is_an_error() {
        for bad in [
            "PROJCS[garbage[[[",
            "",
            "PROJCS",
            r#"PROJCS["x",éGEOGCS["y"]]"#,
            r#"PROJCS["x"]]"#,
            r#"PROJCS["x"] trailing"#,
            r#"PROJCS["x",1.2.3]"#,
            r#"PROJCS["x]"#,
            "\u{fffd}[\u{fffd}(]",
        ] {
            assert!(WktNode::parse(bad).is_err(), "{bad}");
        }
        let deep = "A[".repeat(100) + &"]".repeat(100);
        assert!(WktNode::parse(&deep).is_err());
    }

    #[test]
    fn authority_codes_as_text_or_number() {
        let a = WktNode::parse(r#"X["n",AUTHORITY["EPSG","4547"]]"#).unwrap();
        assert_eq!(a.epsg(), Some(4547));
        let b = WktNode::parse(r#"X["n",ID["EPSG",2227]]"#).unwrap();
        assert_eq!(b.epsg(), Some(2227));
        let c = WktNode::parse(r#"X["n",ID["ESRI",102100]]"#).unwrap();
        assert_eq!(c.epsg(), None);
    }
}
