//! The promises a Parliament keeps, checked row by row over every priest's ledger (§2.1's B1-B3
//! and the consequences the paper draws from them in §2.2 and §3).
//!
//! One set of rules in code, fed ledger rows as they are written: the simulator after every step,
//! and (from files) the audit. Each rule is order-insensitive across priests and in ledger order
//! within one priest, so it does not matter which priest's rows arrive first.
//!
//! - **Agreement**: no two ledgers hold different decrees under one number.
//! - **B1**: a priest tries only ballots he owns, each above the last he tried.
//! - **Promises kept**: no priest votes in a ballot below one he already promised.
//! - **B3** (in the form of the paper's Theorem 1): once a majority set of the roll in force for a
//!   number has voted for a decree in one ballot, every vote in a later ballot on that number is
//!   for the same decree.
//! - **Roll in force** (§3.3.6, §2.2): every decree passed was voted, in one ballot, by a majority
//!   set of the roll in force for its number: the roll the Chamber was laid out with, changed by
//!   every membership decree numbered α or more below it (the first decree carrying a petition;
//!   a void repeat changes nothing).
//! - **B2**: no two majority sets of one roll that the rules saw vote are disjoint.
//! - **Validity**: every decree is olive day or a petition that was made, with its text.
//! - **Last vote** (§2.3 step 2): a LastVote(b) tells, for each decree number above n, exactly the
//!   sender's latest vote in a ballot below b, and nothing voted in b or above. It judges messages
//!   against the sender's ledger rather than rows, so it is a function of its own: [`last_vote_told`].
//!
//! A petition may be carried by two decrees: a president is bound by B3 to repeat a stale vote for
//! it even after another president passed it under a lower number, and no president can safely do
//! otherwise. The statute book gives it effect once, at the lower number; the later decree is a
//! void repeat. The rules count repeats rather than call them violations.

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::sync::Arc;

use crate::priest::{
    BallotNumber, Decree, DecreeNo, FixedMap, Petition, PetitionId, PriestId, Quorum, Record, RollChange,
    RollLaw, Weights,
};

/// A LastVote tells only what came before its ballot (§2.3 step 2).
mod last_vote;
mod numbers;
/// The roll in force for each number, and the majority sets seen (§3.3.6, §2.2).
mod roll;
pub use last_vote::{last_vote_told, step_told};

/// Which promise was broken.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Rule {
    /// Two ledgers hold different decrees under one number.
    Agreement,
    /// A ballot number was tried twice, or by a priest who does not own it.
    B1,
    /// A vote in a ballot below a promise.
    PromisesKept,
    /// A later ballot voted for a different decree than one a majority set had already chosen.
    B3,
    /// A decree no one petitioned for, or one that changed a petition's text.
    Validity,
    /// A LastVote(b) that does not tell exactly the sender's latest vote below b (§2.3 step 2).
    LastVote,
    /// A decree passed without a majority set of the roll in force for its number voting for it
    /// in one ballot (§3.3.6, §2.2).
    RollInForce,
    /// Two majority sets of one roll that share no priest (§2.1's B2, with §2.2's weights).
    B2,
    /// Faults stopped, and still not every petition passed into every ledger in time.
    Liveness,
}

impl Rule {
    /// The rule's name, as reports and the model checker's properties write it.
    pub fn name(self) -> &'static str {
        match self {
            Rule::Agreement => "agreement",
            Rule::B1 => "B1",
            Rule::PromisesKept => "promises kept",
            Rule::B3 => "B3",
            Rule::Validity => "validity",
            Rule::LastVote => "last vote",
            Rule::RollInForce => "roll in force",
            Rule::B2 => "B2",
            Rule::Liveness => "liveness",
        }
    }
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A broken promise: which rule, whose ledger, which row (1-based, rows after the header), why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Violation {
    /// The rule broken.
    pub rule: Rule,
    /// The priest whose ledger row broke it.
    pub priest: PriestId,
    /// The row of his ledger, counting from 1.
    pub row: usize,
    /// What was wrong, in the paper's words.
    pub detail: String,
}

/// What the rules remember of one priest's ledger.
#[derive(Clone, Debug, Default)]
struct LedgerSoFar {
    rows: usize,
    last_tried: Option<BallotNumber>,
    promised: Option<BallotNumber>,
}

/// What the rules remember of one decree number.
#[derive(Clone, Debug, Default)]
struct NumberSoFar {
    /// The decree written in a ledger under this number, with the first priest and row that did.
    decree: Option<(Decree, PriestId, usize)>,
    /// Every ledger row holding a decree under this number, when agreement is judged once every
    /// row is read ([`Rules::agreement_at_end`]).
    holders: Vec<(Decree, PriestId, usize)>,
    /// Votes by ballot: the decree and who voted.
    votes: numbers::Votes,
    /// The lowest ballot in which a majority set of the roll in force voted, and its decree.
    chosen: Option<(BallotNumber, Decree)>,
}

/// The rules, fed every ledger row of a Parliament.
#[derive(Clone, Debug)]
pub struct Rules {
    priests: usize,
    ledgers: Vec<LedgerSoFar>,
    numbers: numbers::Numbers,
    /// Looked up once for every decree row of every ledger, so by hash, not by comparing ids.
    petitions: FixedMap<PetitionId, Arc<str>>,
    passed: FixedMap<PetitionId, DecreeNo>,
    repeats: u64,
    names: Names,
    /// The roll as laid out, α, and the membership decrees seen: the roll in force for each number.
    roll_law: RollLaw,
    /// The membership decrees seen, each at the first decree carrying its petition.
    roll_changes: BTreeMap<DecreeNo, RollChange>,
    /// Every majority set seen voting in one ballot, by roll (for B2).
    majorities: HashMap<Weights, Vec<Quorum>>,
    /// Rows arrive in the order they were written (the simulator, the model checker): a decree
    /// is checked for its majority set the moment it is written. Otherwise (the audit), at
    /// [`Rules::unbacked`].
    in_order: bool,
    /// Agreement is judged once every row is read (the audit, [`Rules::disagreements`]): the rows
    /// that disagree with the decree a majority set voted for (or, lacking one, with most ledgers)
    /// are blamed, not whichever ledger happened to be read later.
    agreement_at_end: bool,
}

/// How violations name priests and ballots: by number (the simulator), or by the roll's names and
/// ledger file lines (the audit, which reads `ledgers/<name>.csv`).
#[derive(Clone, Debug, Default)]
struct Names(Option<Vec<String>>);

impl Names {
    fn ballot(&self, b: BallotNumber) -> String {
        match &self.0 {
            Some(names) => format!("{}.{}", b.round, names[b.priest.index()]),
            None => b.to_string(),
        }
    }

    /// Where another ledger holds a decree, as the simulator or the audit says it.
    fn holds(&self, priest: PriestId, row: usize, decree: &Decree) -> String {
        match &self.0 {
            Some(names) => format!("ledgers/{}.csv line {row} has {decree}", names[priest.index()]),
            None => format!("priest {} wrote {decree} in row {row}", priest.0),
        }
    }
}

impl Rules {
    /// Rules for a Parliament of `priests` priests of weight 1 each, with the default α.
    pub fn new(priests: usize) -> Self {
        Rules::with_roll(vec![1; priests], crate::priest::DEFAULT_ALPHA)
    }

    /// Rules for a Parliament laid out with these weights (one a place; 0: laid out, not a
    /// legislator) and window α (§3.3.6).
    pub fn with_roll(weights: Vec<u32>, alpha: u64) -> Self {
        let priests = weights.len();
        Rules {
            roll_law: RollLaw::new(Weights(weights), alpha),
            roll_changes: BTreeMap::new(),
            majorities: Default::default(),
            in_order: false,
            agreement_at_end: false,
            priests,
            ledgers: vec![LedgerSoFar::default(); priests],
            numbers: numbers::Numbers::default(),
            petitions: FixedMap::default(),
            passed: FixedMap::default(),
            repeats: 0,
            names: Names::default(),
        }
    }

    /// Rows will be fed in the order they were written, across priests too (the simulator, the
    /// model checker, the scenario harness): a decree is checked for its majority set the moment
    /// it is written, not only at [`Rules::unbacked`].
    pub fn in_order(mut self) -> Self {
        self.in_order = true;
        self
    }

    /// Agreement is judged once every row is read, at [`Rules::disagreements`]: a ledger whose
    /// decree differs from the one the others hold and a majority set voted for is the one blamed,
    /// whichever order the ledgers are read in (the audit).
    pub fn agreement_at_end(mut self) -> Self {
        self.agreement_at_end = true;
        self
    }

    /// Names priests and ballots in violations by these names (in id order), and other rows by
    /// `ledgers/<name>.csv line N`: for rows fed with [`Rules::observe_row`] at their file lines.
    pub fn with_names(mut self, names: Vec<String>) -> Self {
        assert_eq!(names.len(), self.priests, "one name per priest");
        self.names = Names(Some(names));
        self
    }

    /// The names priests are shown by, in id order (empty: by number).
    pub fn names(&self) -> &[String] {
        self.names.0.as_deref().unwrap_or(&[])
    }

    /// Notes that a citizen made this petition, so a decree carrying it is valid.
    pub fn petition_made(&mut self, petition: &Petition) {
        self.petitions.entry(petition.id.clone()).or_insert_with(|| petition.text.clone());
    }

    /// Which decree passed each petition, as far as any ledger says.
    pub fn passed(&self) -> &FixedMap<PetitionId, DecreeNo> {
        &self.passed
    }

    /// How many decrees repeat a petition already passed under another number (void repeats).
    pub fn repeats(&self) -> u64 {
        self.repeats
    }

    /// The highest decree number any ledger holds.
    pub fn last_decree_no(&self) -> DecreeNo {
        self.numbers.iter().rev().find(|(_, n)| n.decree.is_some()).map_or(0, |(no, _)| no)
    }

    /// The decree some ledger holds under `decree_no`, if any: what a law book must say (§3.3.2).
    pub fn decree_held(&self, decree_no: DecreeNo) -> Option<&Decree> {
        self.numbers.get(decree_no)?.decree.as_ref().map(|(d, _, _)| d)
    }

    /// Checks the next row of `priest`'s ledger against every rule.
    pub fn observe(&mut self, priest: PriestId, record: &Record) -> Result<(), Violation> {
        let row = self.ledgers[priest.index()].rows + 1;
        self.observe_row(priest, row, record)
    }

    /// The last `n` rows of `priest`'s ledger were lost in a crash before they were synced (only
    /// `Decree` rows ever are): the rows fed next take their places.
    pub fn lost_rows(&mut self, priest: PriestId, n: usize) {
        let ledger = &mut self.ledgers[priest.index()];
        ledger.rows = ledger.rows.saturating_sub(n);
    }

    /// Checks the next row of `priest`'s ledger, naming it `row` in a violation (the audit passes
    /// the line of the file it was read from). After a violation the rules go on: the caller may
    /// feed the next row and collect every violation, or stop at the first, as the simulator does.
    pub fn observe_row(&mut self, priest: PriestId, row: usize, record: &Record) -> Result<(), Violation> {
        let names = &self.names;
        let ledger = &mut self.ledgers[priest.index()];
        ledger.rows += 1;
        let broken = |rule, detail: String| Err(Violation { rule, priest, row, detail });
        match record {
            Record::Tried { ballot } => {
                let b = names.ballot(*ballot);
                if ballot.priest != priest {
                    return broken(Rule::B1, format!("tried ballot {b}, which another priest owns"));
                }
                if let Some(last) = ledger.last_tried.filter(|&last| *ballot <= last) {
                    let last = names.ballot(last);
                    return broken(Rule::B1, format!("tried ballot {b} after already trying {last}"));
                }
                ledger.last_tried = Some(*ballot);
            }
            Record::Promised { ballot } => {
                ledger.promised = ledger.promised.max(Some(*ballot));
            }
            Record::Voted(vote) => {
                if let Some(promised) = ledger.promised.filter(|&p| vote.ballot < p) {
                    return broken(
                        Rule::PromisesKept,
                        format!(
                            "voted in ballot {} after promising {}",
                            names.ballot(vote.ballot),
                            names.ballot(promised)
                        ),
                    );
                }
                return self.vote(priest, row, vote.decree_no, vote.ballot, &vote.decree);
            }
            Record::Decree { decree_no, decree } => return self.decree(priest, row, *decree_no, decree),
        }
        Ok(())
    }

    fn vote(
        &mut self,
        priest: PriestId,
        row: usize,
        decree_no: DecreeNo,
        ballot: BallotNumber,
        decree: &Decree,
    ) -> Result<(), Violation> {
        // Borrowed, not cloned (a row of every vote passes here); cloned only when a majority set
        // is first seen, for the check that then needs `self` whole.
        let roll = self.roll_law.in_force(decree_no);
        let names = &self.names;
        let show = |b: BallotNumber| names.ballot(b);
        let number = self.numbers.entry(decree_no);
        let (voted_for, voters) = number.votes.entry(ballot, || (decree.clone(), Quorum::default()));
        let broken = |detail: String| Err(Violation { rule: Rule::B3, priest, row, detail });
        if voted_for != decree {
            return broken(format!(
                "voted in ballot {} for decree {decree_no} {decree}, but that ballot is for {voted_for}",
                show(ballot)
            ));
        }
        let was_majority = roll.is_majority(*voters);
        voters.insert(priest);
        let majority = roll.is_majority(*voters);
        let newly_chosen =
            majority && number.chosen.as_ref().is_none_or(|(chosen_in, _)| ballot < *chosen_in);
        let seen = (majority && !was_majority).then_some(*voters);
        if newly_chosen {
            if let Some((later, (other, _))) = number.votes.from(ballot).find(|(_, (d, _))| d != decree) {
                return broken(format!(
                    "ballot {} chose {decree} for decree {decree_no}, but a later ballot {} voted for {other}",
                    show(ballot),
                    show(*later)
                ));
            }
            number.chosen = Some((ballot, decree.clone()));
        }
        if let Some((chosen_in, chosen)) = &number.chosen
            && ballot > *chosen_in
            && decree != chosen
        {
            return broken(format!(
                "voted in ballot {} for decree {decree_no} {decree}, after ballot {} chose {chosen}",
                show(ballot),
                show(*chosen_in)
            ));
        }
        match seen {
            Some(q) => {
                let roll = self.roll_law.in_force(decree_no).clone();
                self.majority_seen(priest, row, &roll, q)
            }
            None => Ok(()),
        }
    }

    /// The decree the ledgers agree on under `decree_no`, and the first ledger row holding it: the
    /// one a majority set voted for, if any ledger holds it; else the one most ledgers hold (the
    /// first read, if as many hold another). With [`Rules::agreement_at_end`].
    pub fn agreed(&self, decree_no: DecreeNo) -> Option<&(Decree, PriestId, usize)> {
        let number = self.numbers.get(decree_no)?;
        if let Some((_, chosen)) = &number.chosen
            && let Some(held) = number.holders.iter().find(|(d, _, _)| d == chosen)
        {
            return Some(held);
        }
        let ledgers = |decree: &Decree| {
            let mut q = Quorum::default();
            number.holders.iter().filter(|(d, _, _)| d == decree).for_each(|(_, p, _)| {
                q.insert(*p);
            });
            q.len()
        };
        let mut best: Option<(&(Decree, PriestId, usize), usize)> = None;
        for held in &number.holders {
            let n = ledgers(&held.0);
            if best.is_none_or(|(_, most)| n > most) {
                best = Some((held, n));
            }
        }
        best.map(|(held, _)| held).or(number.decree.as_ref())
    }

    /// Every ledger row holding a decree other than the one the ledgers agree on under its number
    /// ([`Rules::agreed`]): [`Rule::Agreement`] broken by that row, once every row is fed. With
    /// [`Rules::agreement_at_end`] (the audit); otherwise agreement is judged at the row.
    pub fn disagreements(&self) -> Vec<Violation> {
        let mut found = Vec::new();
        for (no, number) in self.numbers.iter() {
            let Some((agreed, who, at)) = self.agreed(no) else { continue };
            if number.holders.iter().all(|(d, _, _)| d == agreed) {
                continue;
            }
            let mut with = Quorum::default();
            number.holders.iter().filter(|(d, _, _)| d == agreed).for_each(|(_, p, _)| {
                with.insert(*p);
            });
            let more = match with.len().saturating_sub(1) {
                0 => String::new(),
                1 => " (so does 1 other ledger)".to_string(),
                n => format!(" (so do {n} other ledgers)"),
            };
            let backing = match &number.chosen {
                Some((ballot, chosen)) if chosen == agreed => {
                    let voters = number.votes.get(ballot).map_or(Quorum::default(), |(_, q)| *q);
                    format!(
                        ", and a majority set {} voted for it in ballot {}",
                        self.names.set(voters),
                        self.names.ballot(*ballot)
                    )
                }
                _ => ", though no majority set's votes in the ledgers back it either".to_string(),
            };
            let there = self.names.holds(*who, *at, agreed);
            for (decree, priest, row) in number.holders.iter().filter(|(d, _, _)| d != agreed) {
                found.push(Violation {
                    rule: Rule::Agreement,
                    priest: *priest,
                    row: *row,
                    detail: format!(
                        "decree {no} is {decree}, but {there}{more}{backing}: this row disagrees with them \
                         (written or changed by hand?); a ledger is written in indelible ink, so find out how \
                         it came to differ before trusting it"
                    ),
                });
            }
        }
        found
    }

    fn decree(
        &mut self,
        priest: PriestId,
        row: usize,
        decree_no: DecreeNo,
        decree: &Decree,
    ) -> Result<(), Violation> {
        let broken = |rule, detail: String| Err(Violation { rule, priest, row, detail });
        let number = self.numbers.entry(decree_no);
        if self.agreement_at_end {
            number.holders.push((decree.clone(), priest, row));
        }
        match &number.decree {
            Some((first, _, _)) if first != decree && self.agreement_at_end => return Ok(()),
            Some((first, who, at)) if first != decree => {
                let other = self.names.holds(*who, *at, first);
                return broken(Rule::Agreement, format!("decree {decree_no} is {decree}, but {other}"));
            }
            Some(_) => return Ok(()),
            None => number.decree = Some((decree.clone(), priest, row)),
        }
        if self.in_order && number.chosen.is_none() {
            let roll = self.show_roll(decree_no);
            return broken(
                Rule::RollInForce,
                format!(
                    "decree {decree_no} {decree} is written, but no ballot on it was voted by a majority set \
                     of the roll in force for it ({roll})"
                ),
            );
        }
        if let Decree::Law(p) = decree {
            match self.petitions.get(&p.id) {
                None => {
                    return broken(
                        Rule::Validity,
                        format!("decree {decree_no} is petition {} that no one made", p.id),
                    );
                }
                Some(text) if **text != *p.text => {
                    return broken(
                        Rule::Validity,
                        format!("decree {decree_no} changes the text of petition {}", p.id),
                    );
                }
                Some(_) => {}
            }
            let earlier = self.passed.get(&p.id).copied();
            let first = self.passed.entry(p.id.clone()).or_insert(decree_no);
            if *first != decree_no {
                self.repeats += 1;
                *first = (*first).min(decree_no);
            }
            if let Some(change) = p.change
                && *first == decree_no
            {
                return self.roll_changed(priest, row, decree_no, earlier, change);
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::priest::Vote;

    fn law(id: &str) -> Decree {
        Decree::Law(Petition::new(id, id))
    }

    fn rules() -> Rules {
        let mut r = Rules::new(3);
        for id in ["a", "b"] {
            r.petition_made(&Petition::new(id, id));
        }
        r
    }

    #[test]
    fn two_decrees_under_one_number_break_agreement() {
        let mut r = rules();
        r.observe(PriestId(0), &Record::Decree { decree_no: 1, decree: law("a") }).unwrap();
        r.observe(PriestId(1), &Record::Decree { decree_no: 1, decree: law("a") }).unwrap();
        let v = r.observe(PriestId(2), &Record::Decree { decree_no: 1, decree: law("b") });
        assert_eq!(v.unwrap_err().rule, Rule::Agreement);
    }

    #[test]
    fn a_ballot_tried_twice_breaks_b1() {
        let mut r = rules();
        let b = BallotNumber::new(1, PriestId(0));
        r.observe(PriestId(0), &Record::Tried { ballot: b }).unwrap();
        assert_eq!(r.observe(PriestId(0), &Record::Tried { ballot: b }).unwrap_err().rule, Rule::B1);
        let theirs = BallotNumber::new(5, PriestId(2));
        assert_eq!(r.observe(PriestId(0), &Record::Tried { ballot: theirs }).unwrap_err().rule, Rule::B1);
    }

    #[test]
    fn a_vote_below_a_promise_is_caught_with_its_row() {
        let mut r = rules();
        let p = PriestId(1);
        r.observe(p, &Record::Promised { ballot: BallotNumber::new(3, PriestId(0)) }).unwrap();
        let vote = Vote { decree_no: 1, ballot: BallotNumber::new(2, PriestId(2)), decree: law("a") };
        let v = r.observe(p, &Record::Voted(vote)).unwrap_err();
        assert_eq!((v.rule, v.row), (Rule::PromisesKept, 2));
    }

    #[test]
    fn a_later_ballot_for_another_decree_breaks_b3_in_either_order() {
        let vote = |ballot, id| Record::Voted(Vote { decree_no: 1, ballot, decree: law(id) });
        let (b1, b2) = (BallotNumber::new(1, PriestId(0)), BallotNumber::new(2, PriestId(1)));
        let mut r = rules();
        r.observe(PriestId(0), &vote(b1, "a")).unwrap();
        r.observe(PriestId(1), &vote(b1, "a")).unwrap();
        assert_eq!(r.observe(PriestId(2), &vote(b2, "b")).unwrap_err().rule, Rule::B3);
        let mut r = rules();
        r.observe(PriestId(2), &vote(b2, "b")).unwrap();
        r.observe(PriestId(0), &vote(b1, "a")).unwrap();
        assert_eq!(r.observe(PriestId(1), &vote(b1, "a")).unwrap_err().rule, Rule::B3);
    }

    #[test]
    fn validity_refuses_unmade_petitions_and_counts_repeats() {
        let mut r = rules();
        let v = r.observe(PriestId(0), &Record::Decree { decree_no: 1, decree: law("z") });
        assert_eq!(v.unwrap_err().rule, Rule::Validity);
        let forged = Decree::Law(Petition::new("a", "another text"));
        let v = r.observe(PriestId(0), &Record::Decree { decree_no: 5, decree: forged });
        assert_eq!(v.unwrap_err().rule, Rule::Validity);
        r.observe(PriestId(0), &Record::Decree { decree_no: 3, decree: law("a") }).unwrap();
        r.observe(PriestId(0), &Record::Decree { decree_no: 2, decree: law("a") }).unwrap();
        r.observe(PriestId(1), &Record::Decree { decree_no: 3, decree: law("a") }).unwrap();
        assert_eq!(r.repeats(), 1, "one decree repeats petition a");
        assert_eq!(r.passed()[&PetitionId("a".into())], 2, "it takes effect at the lower number");
        r.observe(PriestId(0), &Record::Decree { decree_no: 4, decree: Decree::OliveDay }).unwrap();
    }
}
