//! Splitting a Markdown file into its YAML front matter and its body.
//!
//! Front matter is the text between a first line `---` and the next line `---`. The YAML
//! starts on line 2, so its line numbers are offset by one (the fence counts). A block that
//! never closes is an error at the opening fence; a file without a first `---` has no front
//! matter. CRLF line ends are accepted.

/// A Markdown file cut at its fences.
#[derive(Debug, PartialEq, Eq)]
pub struct Split<'a> {
    /// The YAML between the fences, if the file has front matter.
    pub front_matter: Option<&'a str>,
    pub body: &'a str,
}

/// The front matter opened on line 1 and no closing `---` line follows.
#[derive(Debug, PartialEq, Eq)]
pub struct Unclosed;

fn is_fence(line: &str) -> bool {
    line.trim_end_matches(['\r', ' ', '\t']) == "---"
}

/// Splits `text` (BOM already removed).
pub fn split(text: &str) -> Result<Split<'_>, Unclosed> {
    let Some(first_end) = text.find('\n') else {
        return if is_fence(text) { Err(Unclosed) } else { Ok(Split { front_matter: None, body: text }) };
    };
    if !is_fence(&text[..first_end]) {
        return Ok(Split { front_matter: None, body: text });
    }
    let yaml_start = first_end + 1;
    // A fence starts its line with `---`: only lines found that way are looked at, rather than
    // every line of the front matter.
    let first = text[yaml_start..].starts_with("---").then_some(yaml_start);
    let others = text[yaml_start..].match_indices("\n---").map(|(i, _)| yaml_start + i + 1);
    for offset in first.into_iter().chain(others) {
        let end = text[offset..].find('\n').map_or(text.len(), |i| offset + i + 1);
        if is_fence(text[offset..end].trim_end_matches('\n')) {
            return Ok(Split { front_matter: Some(&text[yaml_start..offset]), body: &text[end..] });
        }
    }
    Err(Unclosed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_front_matter_from_body() {
        let s = split("---\nname: x\n---\nBody\n").unwrap();
        assert_eq!(s.front_matter, Some("name: x\n"));
        assert_eq!(s.body, "Body\n");
    }

    #[test]
    fn accepts_crlf_and_an_empty_block() {
        let s = split("---\r\nname: x\r\n---\r\nBody").unwrap();
        assert_eq!(s.front_matter, Some("name: x\r\n"));
        assert_eq!(s.body, "Body");
        assert_eq!(split("---\n---\n").unwrap().front_matter, Some(""));
        assert_eq!(split("---\n---").unwrap().body, "");
    }

    #[test]
    fn no_fence_means_no_front_matter() {
        let s = split("# Title\n---\n").unwrap();
        assert_eq!(s.front_matter, None);
        assert_eq!(split("").unwrap().front_matter, None);
    }

    #[test]
    fn only_a_whole_fence_line_closes() {
        let s = split("---\na: ---x\n---x\n --- \n---  \t\nBody").unwrap();
        assert_eq!(s.front_matter, Some("a: ---x\n---x\n --- \n"));
        assert_eq!(s.body, "Body");
        assert_eq!(split("---\n---\r\n").unwrap().body, "");
    }

    #[test]
    fn an_unclosed_block_is_an_error() {
        assert_eq!(split("---\nname: x\n"), Err(Unclosed));
        assert_eq!(split("---"), Err(Unclosed));
        assert_eq!(split("---\n--- \n").unwrap().front_matter, Some(""));
    }
}
