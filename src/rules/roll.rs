//! The rules' knowledge of the roll (§3.3.6 and §2.2 of the paper): the roll in force for each
//! decree number, computed from the roll as laid out and the membership decrees the ledgers hold;
//! which decrees a majority set of it voted for; and B2 over the majority sets seen.
//!
//! A membership decree is the first decree carrying its petition: a void repeat changes nothing,
//! and a repeat found at a lower number later moves the change there. When the roll changes, the
//! numbers it governs are judged again, so rows fed in any order across priests (the audit) end in
//! the same verdict as rows fed as written (the simulator), where nothing is ever judged again: by
//! the gap rule, no ballot on a number begins before its roll is known.

use super::{Names, Rule, Rules, Violation};
use crate::priest::{DecreeNo, PriestId, Quorum, RollChange, RollLaw, Weights};

impl Rules {
    /// The law of the roll as the ledgers fed so far tell it.
    pub fn roll_law(&self) -> &RollLaw {
        &self.roll_law
    }

    /// Decrees some ledger holds that no majority set of the roll in force for their number voted
    /// for in one ballot, among the rows fed so far: [`Rule::RollInForce`] broken, once every row
    /// is fed. The audit asks at its end; the simulator is told at the row ([`Rules::in_order`]).
    pub fn unbacked(&self) -> Vec<Violation> {
        let unbacked = self.numbers.iter().filter(|(_, n)| n.chosen.is_none());
        unbacked
            .filter_map(|(no, n)| {
                let (decree, priest, row) = n.decree.as_ref()?;
                Some(Violation {
                    rule: Rule::RollInForce,
                    priest: *priest,
                    row: *row,
                    detail: format!(
                        "decree {no} {decree} is written, but no ballot on it was voted by a majority set of \
                         the roll in force for it ({})",
                        self.show_roll(no)
                    ),
                })
            })
            .collect()
    }

    /// The roll in force for `decree_no`, as a violation shows it: "Lynch, Oki:2, Toueg".
    pub(super) fn show_roll(&self, decree_no: DecreeNo) -> String {
        let roll = self.roll_law.in_force(decree_no);
        let shown: Vec<String> = roll
            .legislators()
            .map(|p| {
                let name = self.names.priest(p);
                match roll.weight(p) {
                    1 => name,
                    w => format!("{name}:{w}"),
                }
            })
            .collect();
        if shown.is_empty() { "no legislator".to_string() } else { shown.join(", ") }
    }

    /// A ballot's voters became a majority set of `roll`: B2 asks that it share a priest with
    /// every majority set of that roll seen before.
    pub(super) fn majority_seen(
        &mut self,
        priest: PriestId,
        row: usize,
        roll: &Weights,
        q: Quorum,
    ) -> Result<(), Violation> {
        let seen = self.majorities.entry(roll.clone()).or_default();
        if seen.contains(&q) {
            return Ok(());
        }
        if let Some(other) = seen.iter().find(|o| !o.intersects(q)) {
            let (a, b) = (self.names.set(q), self.names.set(*other));
            return Err(Violation {
                rule: Rule::B2,
                priest,
                row,
                detail: format!("{a} and {b} are both majority sets of one roll, and share no priest"),
            });
        }
        seen.push(q);
        Ok(())
    }

    /// The membership decree `change` was written at `decree_no`, the first decree carrying its
    /// petition (`earlier`: where the rules had it before). The roll in force changes from
    /// `decree_no + α` (or the earlier place's), and the numbers it governs are judged again.
    pub(super) fn roll_changed(
        &mut self,
        priest: PriestId,
        row: usize,
        decree_no: DecreeNo,
        earlier: Option<DecreeNo>,
        change: RollChange,
    ) -> Result<(), Violation> {
        if let Some(later) = earlier {
            self.roll_changes.remove(&later);
        }
        self.roll_changes.insert(decree_no, change);
        let (laid_out, alpha) = (self.roll_law.in_force(0).clone(), self.roll_law.alpha());
        let mut law = RollLaw::new(laid_out, alpha);
        for (&m, &c) in &self.roll_changes {
            law.note(m, c);
        }
        self.roll_law = law;
        let from = earlier.unwrap_or(decree_no).min(decree_no).saturating_add(alpha);
        let numbers: Vec<DecreeNo> = self.numbers.iter().map(|(k, _)| k).filter(|&k| k >= from).collect();
        for k in numbers {
            self.judge_again(priest, row, k)?;
        }
        Ok(())
    }

    /// Finds again the lowest ballot on `k` a majority set of its roll voted in, and checks B3 there.
    fn judge_again(&mut self, priest: PriestId, row: usize, k: DecreeNo) -> Result<(), Violation> {
        let roll = self.roll_law.in_force(k).clone();
        let number = self.numbers.get_mut(k).expect("listed");
        let chosen = number.votes.iter().find(|(_, (_, voters))| roll.is_majority(*voters));
        number.chosen = chosen.map(|(&b, (d, _))| (b, d.clone()));
        let Some((chosen_in, chosen)) = number.chosen.clone() else { return Ok(()) };
        let later = number.votes.from(chosen_in).find(|(_, (d, _))| *d != chosen);
        if let Some((other_in, other)) = later.map(|(&b, (d, _))| (b, d.clone())) {
            let show = |b| self.names.ballot(b);
            return Err(Violation {
                rule: Rule::B3,
                priest,
                row,
                detail: format!(
                    "with the roll in force for decree {k} ({}), ballot {} chose {chosen}, but a later ballot {} \
                     voted for {other}",
                    self.show_roll(k),
                    show(chosen_in),
                    show(other_in)
                ),
            });
        }
        Ok(())
    }
}

impl Names {
    /// A priest as violations name him.
    fn priest(&self, p: PriestId) -> String {
        match &self.0 {
            Some(names) => names.get(p.index()).cloned().unwrap_or_else(|| format!("priest {}", p.0)),
            None => format!("priest {}", p.0),
        }
    }

    /// A set of priests as violations name it: "{Lynch, Toueg}".
    pub(super) fn set(&self, q: Quorum) -> String {
        let members: Vec<String> = (0..crate::priest::MAX_PLACES as u16)
            .map(PriestId)
            .filter(|&p| q.contains(p))
            .map(|p| self.priest(p))
            .collect();
        format!("{{{}}}", members.join(", "))
    }
}

#[cfg(test)]
mod tests {
    use crate::priest::{BallotNumber, Decree, Petition, PriestId, Quorum, Record, RollChange, Vote};
    use crate::rules::{Rule, Rules};

    fn admit(p: u16, weight: u32) -> Petition {
        Petition::membership("admit", "Dwork is now a legislator", RollChange { priest: PriestId(p), weight })
    }

    fn voted(r: &mut Rules, p: u16, decree_no: u64, decree: &Decree) -> Result<(), crate::rules::Violation> {
        let ballot = BallotNumber::new(1, PriestId(2));
        r.observe(PriestId(p), &Record::Voted(Vote { decree_no, ballot, decree: decree.clone() }))
    }

    fn written(
        r: &mut Rules,
        p: u16,
        decree_no: u64,
        decree: &Decree,
    ) -> Result<(), crate::rules::Violation> {
        r.observe(PriestId(p), &Record::Decree { decree_no, decree: decree.clone() })
    }

    /// Three legislators and Dwork, at place 3, laid out with weight 0; α = 2; Dwork admitted
    /// with weight 2 by decree 1, so the roll in force from decree 3 weighs 5.
    fn admitted() -> Rules {
        let mut r = Rules::with_roll(vec![1, 1, 1, 0], 2).in_order();
        let law = Decree::Law(admit(3, 2));
        r.petition_made(&admit(3, 2));
        voted(&mut r, 0, 1, &law).unwrap();
        voted(&mut r, 1, 1, &law).unwrap();
        written(&mut r, 1, 1, &law).unwrap();
        r
    }

    #[test]
    fn a_decree_counted_by_the_new_roll_too_early_breaks_the_roll_in_force() {
        let mut r = admitted();
        let olive = Decree::OliveDay;
        voted(&mut r, 2, 2, &olive).unwrap();
        voted(&mut r, 3, 2, &olive).unwrap();
        let v = written(&mut r, 2, 2, &olive).unwrap_err();
        assert_eq!(v.rule, Rule::RollInForce);
        assert!(v.detail.contains("(priest 0, priest 1, priest 2)"), "{}", v.detail);
        // From decree 3 on, Dwork's weight 2 and one more make a majority set of 5.
        voted(&mut r, 2, 3, &olive).unwrap();
        voted(&mut r, 3, 3, &olive).unwrap();
        written(&mut r, 2, 3, &olive).unwrap();
    }

    /// The audit feeds one ledger after another: a decree may come before the votes that passed
    /// it, and a membership decree after the votes it governs. The verdict comes at the end.
    #[test]
    fn rows_in_any_order_end_in_the_same_verdict() {
        let mut r = Rules::with_roll(vec![1, 1, 1, 0], 2);
        let (law, olive) = (Decree::Law(admit(3, 2)), Decree::OliveDay);
        r.petition_made(&admit(3, 2));
        written(&mut r, 2, 3, &olive).unwrap();
        voted(&mut r, 2, 3, &olive).unwrap();
        voted(&mut r, 3, 3, &olive).unwrap();
        assert_eq!(r.unbacked().len(), 1, "by the roll as laid out, Dwork's vote counts for nothing");
        for p in [0, 1] {
            voted(&mut r, p, 1, &law).unwrap();
        }
        written(&mut r, 0, 1, &law).unwrap();
        assert!(r.unbacked().is_empty(), "decree 1 in force from 3: {:?}", r.unbacked());
    }

    #[test]
    fn a_void_repeat_changes_no_roll() {
        let mut r = admitted();
        let law = Decree::Law(admit(3, 2));
        voted(&mut r, 0, 2, &law).unwrap();
        voted(&mut r, 1, 2, &law).unwrap();
        written(&mut r, 0, 2, &law).unwrap();
        assert_eq!(r.roll_law().changes().keys().copied().collect::<Vec<_>>(), [1]);
        assert_eq!(r.repeats(), 1);
    }

    #[test]
    fn two_disjoint_majority_sets_of_one_roll_break_b2() {
        let mut r = Rules::with_roll(vec![1, 1, 1], 3);
        let roll = r.roll_law().in_force(1).clone();
        let set = |ps: &[u16]| {
            let mut q = Quorum::default();
            ps.iter().for_each(|&p| _ = q.insert(PriestId(p)));
            q
        };
        r.majority_seen(PriestId(0), 1, &roll, set(&[0, 1])).unwrap();
        r.majority_seen(PriestId(1), 1, &roll, set(&[1, 2])).unwrap();
        let v = r.majority_seen(PriestId(2), 1, &roll, set(&[2])).unwrap_err();
        assert_eq!(v.rule, Rule::B2, "a sum that counted {{2}} a majority would be caught: {v:?}");
    }
}
