//! The English of counts: "1 row", "2 rows", "1 violation": the one place plurals are made, for
//! every story, report and error the crate prints.

/// `n` things, with the plural English wants: `count(1, "row")` is "1 row", `count(2, "row")`
/// "2 rows", `count(2, "void repeat")` "2 void repeats" (the last word takes the plural), and
/// `count(2, "row in halves|rows in halves")` gives both forms when the last word is not the noun.
pub fn count(n: impl TryInto<u64>, thing: &str) -> String {
    let n: u64 = n.try_into().unwrap_or(u64::MAX);
    if let Some((one, many)) = thing.split_once('|') {
        return format!("{n} {}", if n == 1 { one } else { many });
    }
    if n == 1 {
        return format!("1 {thing}");
    }
    let (head, noun) = thing.rsplit_once(' ').map_or(("", thing), |(a, b)| (a, b));
    let plural = if noun.chars().all(|c| !c.is_lowercase()) {
        format!("{noun}S")
    } else if noun.ends_with(['s', 'x']) || noun.ends_with("ch") || noun.ends_with("sh") {
        format!("{noun}es")
    } else if let Some(stem) = noun.strip_suffix('y').filter(|s| !s.ends_with(['a', 'e', 'o', 'u'])) {
        format!("{stem}ies")
    } else {
        format!("{noun}s")
    };
    if head.is_empty() { format!("{n} {plural}") } else { format!("{n} {head} {plural}") }
}

#[cfg(test)]
mod tests {
    use super::count;

    #[test]
    fn counts_take_their_plurals() {
        assert_eq!(count(1, "row"), "1 row");
        assert_eq!(count(2, "row"), "2 rows");
        assert_eq!(count(0, "crash"), "0 crashes");
        assert_eq!(count(3, "priest who left|priests who left"), "3 priests who left");
        assert_eq!(count(2, "void repeat"), "2 void repeats");
    }
}
