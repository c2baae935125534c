//! Long statements, URLs and names made short without losing what tells
//! them apart: a SQL statement keeps its verb and its tables (`SELECT …
//! FROM invoice_lines JOIN products ON … WHERE invoice_id = ?`), a URL its
//! host and route, a name its words; nothing is ever cut in the middle of
//! a word or a name.

/// What stands for what was left out.
const GAP: &str = "…";

/// Any text of a trace in at most `max` characters, shortened as what it
/// is: a URL (`scheme://…`) keeps its host and route, a SQL statement its
/// verb and tables, anything else its leading words.
pub fn text(s: &str, max: usize) -> String {
    let t = s.trim();
    if t.chars().count() <= max {
        return t.to_string();
    }
    let verb = t.split(' ').next().unwrap_or("").to_ascii_uppercase();
    if t.contains("://") && !t.contains(' ') {
        url(t, max)
    } else if matches!(
        verb.as_str(),
        "SELECT" | "INSERT" | "UPDATE" | "DELETE" | "WITH" | "REPLACE" | "MERGE" | "UPSERT"
    ) {
        statement(t, max)
    } else if let Some((method, u)) = t.split_once(' ').filter(|(_, u)| u.contains("://")) {
        // "GET https://…", as some instrumentations name client spans.
        format!(
            "{method} {}",
            url(u, max.saturating_sub(method.chars().count() + 1))
        )
    } else {
        name(t, max)
    }
}

/// `s` in at most `max` characters, cut only between words (or between
/// the parts of a dotted or slashed name), with `…` where it was cut.
pub fn name(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    let mut out = String::new();
    let mut len = 0;
    for piece in pieces(s) {
        let n = piece.chars().count();
        if len + n + 1 > max {
            break;
        }
        out.push_str(piece);
        len += n;
    }
    let out = out.trim_end_matches([' ', '.', '/', ',', ':']);
    if out.is_empty() {
        // One word longer than `max`: its start, which still names it.
        let cut: String = s.chars().take(max.saturating_sub(1)).collect();
        return format!("{cut}{GAP}");
    }
    format!("{out}{GAP}")
}

/// Splits `s` after each separator (space, dot, slash, comma, colon),
/// keeping the separator with the piece before it. Underscores and dashes
/// are inside names (`invoice_lines`, `orders-db`), never places to cut.
fn pieces(s: &str) -> impl Iterator<Item = &str> {
    let mut rest = s;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        let end = rest
            .char_indices()
            .find(|&(_, c)| matches!(c, ' ' | '.' | '/' | ',' | ':'))
            .map_or(rest.len(), |(i, c)| i + c.len_utf8());
        let (piece, after) = rest.split_at(end);
        rest = after;
        Some(piece)
    })
}

/// SQL words after which a clause begins.
const CLAUSES: [&str; 19] = [
    "FROM",
    "JOIN",
    "WHERE",
    "GROUP",
    "ORDER",
    "HAVING",
    "LIMIT",
    "OFFSET",
    "ON",
    "USING",
    "SET",
    "VALUES",
    "INTO",
    "UNION",
    "RETURNING",
    "LEFT",
    "RIGHT",
    "INNER",
    "OUTER",
];

fn is_clause(word: &str) -> bool {
    CLAUSES.iter().any(|c| c.eq_ignore_ascii_case(word))
}

/// A statement (already normalised: literals as `?`, white space folded)
/// in at most `max` characters: what is between the verb and `FROM`, an
/// `ON` condition, a `SET` list, `VALUES` and a sub-clause that does not
/// fit become `…`, while the verb and every table stay.
pub fn statement(sql: &str, max: usize) -> String {
    let sql = sql.trim();
    if sql.chars().count() <= max {
        return sql.to_string();
    }
    let words: Vec<&str> = sql.split(' ').filter(|w| !w.is_empty()).collect();
    // The skeleton: the verb, then each clause word with what names a
    // table kept, everything else elided.
    let mut out: Vec<String> = Vec::new();
    let mut elided = false;
    let mut keep_next = 0usize;
    // Where the first WHERE's elided condition is in `out`, and the condition.
    let mut condition: Option<(usize, Vec<&str>)> = None;
    for (i, &w) in words.iter().enumerate() {
        let upper = w.to_ascii_uppercase();
        if i == 0 || is_clause(w) {
            out.push(w.to_string());
            elided = false;
            // The word after FROM, JOIN, INTO and a leading UPDATE names a table.
            keep_next = usize::from(
                matches!(upper.as_str(), "FROM" | "JOIN" | "INTO") || (i == 0 && upper == "UPDATE"),
            );
            if upper == "WHERE" && condition.is_none() {
                let cond = words
                    .iter()
                    .skip(i + 1)
                    .take_while(|w| !is_clause(w))
                    .copied();
                condition = Some((out.len(), cond.collect()));
            }
        } else if keep_next > 0 {
            out.push(w.to_string());
            keep_next -= 1;
            // `FROM a, b`: the list of tables goes on after a comma.
            if w.ends_with(',') {
                keep_next += 1;
            }
        } else if !elided {
            out.push(GAP.to_string());
            elided = true;
        }
    }
    // WHERE conditions tell queries apart: the first one, whole, when the
    // statement still fits with it.
    if let Some((at, cond)) = condition.filter(|(_, c)| !c.is_empty()) {
        let mut with = out.clone();
        if let Some(slot) = with.get_mut(at) {
            *slot = cond.join(" ");
            let text = with.join(" ");
            if text.chars().count() <= max {
                return text;
            }
        }
    }
    name(&out.join(" "), max)
}

/// A URL in at most `max` characters: its host and route (the query and
/// fragment go first, then middle segments of the path).
pub fn url(u: &str, max: usize) -> String {
    if u.chars().count() <= max {
        return u.to_string();
    }
    let rest = u.split_once("://").map_or(u, |(_, r)| r);
    let no_query = rest.split(['?', '#']).next().unwrap_or(rest);
    if no_query.chars().count() <= max {
        return no_query.to_string();
    }
    let mut segments: Vec<&str> = no_query.split('/').collect();
    // host/first/…/last, dropping from the middle.
    while segments.len() > 3 {
        let mid = segments.len() / 2;
        segments.remove(mid);
        let candidate = {
            let (a, b) = segments.split_at(segments.len() / 2);
            format!("{}/{GAP}/{}", a.join("/"), b.join("/"))
        };
        if candidate.chars().count() <= max {
            return candidate;
        }
    }
    name(no_query, max)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn any_text_is_shortened_as_what_it_is() {
        let u = "https://api.example.com/v1/customers/8412/orders/77/lines?expand=all&page=3";
        assert_eq!(
            text(u, 60),
            "api.example.com/v1/customers/8412/orders/77/lines"
        );
        assert_eq!(
            text(&format!("GET {u}"), 60),
            "GET api.example.com/v1/customers/8412/orders/77/lines"
        );
        let sql = "SELECT invoice_lines.id, invoice_lines.quantity, products.name FROM invoice_lines JOIN products ON products.id = invoice_lines.product_id";
        assert!(text(sql, 60).starts_with("SELECT … FROM invoice_lines JOIN products"));
        assert_eq!(text("short", 60), "short");
        assert_eq!(
            text("frontend HTTP GET /dispatch", 20),
            "frontend HTTP GET…"
        );
    }

    #[test]
    fn names_are_cut_between_words() {
        assert_eq!(name("short", 10), "short");
        assert_eq!(
            name("frontend HTTP GET /dispatch", 20),
            "frontend HTTP GET…"
        );
        assert_eq!(
            name("com.example.orders.OrderService/PlaceOrder", 30),
            "com.example.orders…"
        );
        // One name longer than the room: its start (nothing else names it).
        assert_eq!(
            name("charge_card_with_retries now", 20),
            "charge_card_with_re…"
        );
        assert_eq!(
            name("charge_card_with_retries now", 26),
            "charge_card_with_retries…"
        );
        assert_eq!(name("Supercalifragilistic", 8), "Superca…");
        assert!(name("a b c d e f g h i j", 7).chars().count() <= 7);
    }

    #[test]
    fn statements_keep_verb_and_tables() {
        let sql = "SELECT invoice_lines.id, invoice_lines.quantity, products.name, products.price \
                   FROM invoice_lines JOIN products ON products.id = invoice_lines.product_id \
                   WHERE invoice_id = ?";
        assert_eq!(
            statement(sql, 80),
            "SELECT … FROM invoice_lines JOIN products ON … WHERE invoice_id = ?"
        );
        let short = statement(sql, 50);
        assert!(
            short.starts_with("SELECT … FROM invoice_lines JOIN products"),
            "{short}"
        );
        assert!(short.chars().count() <= 50, "{short}");
        assert_eq!(
            statement(
                "INSERT INTO orders (id, customer, total, created_at) VALUES (?, ?, ?, ?)",
                40
            ),
            "INSERT INTO orders … VALUES …"
        );
        assert_eq!(
            statement(
                "UPDATE accounts SET balance = balance - ?, updated = ? WHERE id = ?",
                40
            ),
            "UPDATE accounts SET … WHERE id = ?"
        );
        assert_eq!(
            statement(
                "SELECT a, b, c, d, e, f, g, h FROM t1, t2 WHERE t1.x = t2.y",
                45
            ),
            "SELECT … FROM t1, t2 WHERE t1.x = t2.y"
        );
        // Short enough: unchanged.
        assert_eq!(statement("SELECT 1", 60), "SELECT 1");
    }

    #[test]
    fn statements_never_cut_a_name() {
        let sql = "SELECT a FROM very_long_table_name_number_one JOIN very_long_table_name_number_two ON x = y";
        for max in 10..90 {
            let s = statement(sql, max);
            assert!(s.chars().count() <= max, "{max}: {s}");
            for word in s.split([' ', '…']).filter(|w| !w.is_empty()) {
                let whole = sql.split(' ').any(|w| w == word)
                    || sql
                        .split(' ')
                        .any(|w| w.starts_with(word) && word.len() >= max - 1);
                assert!(whole, "{max}: {word:?} in {s:?}");
            }
        }
    }

    #[test]
    fn urls_keep_host_and_route() {
        assert_eq!(
            url(
                "https://api.example.com/v1/orders/12345/items?expand=all&token=abc",
                40
            ),
            "api.example.com/v1/orders/12345/items"
        );
        let u = url(
            "http://shop.internal:8080/api/v2/customers/7/orders/99/lines/3/refunds",
            40,
        );
        assert!(u.starts_with("shop.internal:8080/"), "{u}");
        assert!(u.ends_with("/refunds"), "{u}");
        assert!(u.contains('…'), "{u}");
        assert!(u.chars().count() <= 40, "{u}");
    }
}
