//! The narrative: a story a person can follow, with the priests named as the files name them
//! (Toueg, Lynch). At the default [`Level::Told`] each ballot takes a few lines: the petition
//! arrives, the president begins the ballot, a majority votes and the decree passes, the decree
//! is in every ledger; a priest leaving and coming back. [`Level::Verbose`] adds every ledger row
//! and every message, and in the simulator the messages lost, duplicated or sent to a priest who is
//! away. Narrators of one process share one clock and one tally (the priests of a Chamber run as
//! threads, each with his own narrator), so lines come out whole and in order. Also the petitions
//! the simulated citizens make, borrowed from the decrees the paper reports.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::io::Write;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Instant;

use super::telling::{At, Level, ballot, count, decree_numbers, message, sitting, stamp};
use crate::priest::{BallotNumber, Decree, DecreeNo, Durable, Envelope, Message, Petition, PetitionId};
use crate::priest::{PriestId, Record, RollChange, Step};

/// Decrees the paper reports passing, for the simulated citizens to petition for.
pub const DECREES: [&str; 8] = [
    "Lamps must use only olive oil",
    "The olive tax is 3 drachmas per ton",
    "Painting on temple walls is forbidden",
    "Cheese inspectors are appointed by lot",
    "Merchants may sell goats on the agora",
    "The retiring statesman receives a pension",
    "Wine may not be watered",
    "The general's coup is void",
];

/// The `k`th petition a simulated citizen makes: a paper decree, numbered so every text differs.
///
/// After the first round of the paper's decrees, texts carry what people type that once bent the
/// Chamber's framing: a quote inside a field, a line that looks like a row, backslashes.
pub fn petition(k: usize) -> Petition {
    let decree = DECREES[k % DECREES.len()];
    let text = match (k >= DECREES.len()).then_some(k % 3) {
        Some(0) => format!("{decree}, with a 5\" pipe (petition {})", k + 1),
        Some(1) => format!("{decree} (petition {})\n2026-01-01T00:00:00.000Z,Toueg,Voted,,1,1.Toueg", k + 1),
        Some(_) => format!("{decree} (petition {}) C:\\temp\\new", k + 1),
        None => format!("{decree} (petition {})", k + 1),
    };
    Petition::new(&format!("citizen-{}", k + 1), &text)
}

/// The `k`th membership petition a simulated citizen makes (§3.3.6), in the words the books read
/// the change from: "Dijkstra is now a legislator", "... of weight 2", "... is no longer a
/// legislator".
pub fn membership_petition(k: usize, name: &str, change: RollChange) -> Petition {
    let text = match change.weight {
        0 => format!("{name} is no longer a legislator"),
        1 => format!("{name} is now a legislator"),
        w => format!("{name} is now a legislator of weight {w}"),
    };
    Petition::membership(&format!("membership-{}", k + 1), &text, change)
}

/// How the narrative tells a membership decree passed at `decree_no`: "From decree 13 on, Dan is
/// a legislator" (§3.3.6: the priests who pass decree n are those named by the law as of n − α).
pub fn membership_told(decree_no: DecreeNo, alpha: u64, name: &str, change: RollChange) -> String {
    let from = decree_no.saturating_add(alpha);
    match change.weight {
        0 => format!("From decree {from} on, {name} is no longer a legislator"),
        1 => format!("From decree {from} on, {name} is a legislator"),
        w => format!("From decree {from} on, {name} is a legislator of weight {w}"),
    }
}

/// What the narrators of one process know together.
struct Group {
    out: Box<dyn Write + Send>,
    started: Instant,
    /// The places on the roll as far as the group knows (a membership decree, `parliament admit`,
    /// adds one while the Chamber sits): the ledgers a decree must be in to be in all of them.
    priests: usize,
    /// The priests told by narrators of this group (all of them in the simulator and in a Chamber
    /// of threads; one in a priest process).
    members: BTreeSet<PriestId>,
    /// Priests whose earlier decrees are tallied.
    seen: BTreeSet<PriestId>,
    /// The latest ballot told begun for each number, with its decree.
    begun: HashMap<DecreeNo, (BallotNumber, Decree)>,
    /// The numbers whose passing has been told.
    passed: HashSet<DecreeNo>,
    held: HashMap<DecreeNo, BTreeSet<PriestId>>,
    petitions: HashSet<PetitionId>,
}

impl Group {
    fn new(out: Box<dyn Write + Send>, priests: usize, started: Instant) -> Self {
        let (members, seen, begun, passed, held, petitions) = Default::default();
        Group { out, started, priests, members, seen, begun, passed, held, petitions }
    }

    /// Notes ballot `ballot` begun for `decree_no`; whether it is news (a later ballot than any
    /// told for that number).
    fn begin(&mut self, ballot: BallotNumber, decree_no: DecreeNo, decree: &Decree) -> bool {
        if self.begun.get(&decree_no).is_some_and(|(b, _)| *b >= ballot) {
            return false;
        }
        self.begun.insert(decree_no, (ballot, decree.clone()));
        true
    }

    fn say(&mut self, at: At, lines: &[String]) {
        let stamp = stamp(at, self.started);
        for line in lines {
            // The narrative is a courtesy: a closed pipe must not stop the run.
            let _ = writeln!(self.out, "{stamp} {line}");
        }
        let _ = self.out.flush();
    }
}

/// Tells a run as it happens.
pub struct Narrator {
    names: Vec<String>,
    level: Level,
    /// α of §3.3.6, for telling when a membership decree is in force.
    alpha: u64,
    group: Arc<Mutex<Group>>,
}

static CHAMBER: OnceLock<Arc<Mutex<Group>>> = OnceLock::new();

impl Narrator {
    /// A narrator of every priest named `names` (in id order), at `level`, writing to `out`: the
    /// simulator's.
    pub fn new(names: &[String], level: Level, out: Box<dyn Write + Send>) -> Self {
        let mut group = Group::new(out, names.len(), Instant::now());
        group.members = (0..names.len()).map(|i| PriestId(i as u16)).collect();
        let alpha = crate::priest::DEFAULT_ALPHA;
        Narrator { names: names.to_vec(), level, alpha, group: Arc::new(Mutex::new(group)) }
    }

    /// Tells membership decrees as in force α decrees after they pass (§3.3.6).
    pub fn with_alpha(mut self, alpha: u64) -> Self {
        self.alpha = alpha;
        self
    }

    /// The narrator of priest `me` in the Chamber, writing to standard output with this process's
    /// sitting (its clock and level), as rebuilt from his ledger (`durable`).
    pub fn in_chamber(names: &[String], me: PriestId, durable: &Durable) -> Self {
        let s = sitting();
        let group = CHAMBER.get_or_init(|| {
            Arc::new(Mutex::new(Group::new(Box::new(std::io::stdout()), names.len(), s.started)))
        });
        let level = s.level.max(Level::Told);
        let alpha = crate::priest::DEFAULT_ALPHA;
        let mut n = Narrator { names: names.to_vec(), level, alpha, group: group.clone() };
        {
            let mut g = n.lock();
            g.members.insert(me);
            // The roll grew while the Chamber sat (a priest admitted): his ledger counts too.
            g.priests = g.priests.max(names.len());
        }
        if durable.next_bal.is_some() || !durable.decrees.is_empty() || durable.last_tried.is_some() {
            n.come_back(At::Now, me, durable);
        }
        n
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Group> {
        self.group.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn name(&self, p: PriestId) -> &str {
        &self.names[p.index()]
    }

    fn ballot(&self, b: BallotNumber) -> String {
        ballot(&self.names, b)
    }

    /// A priest's step: the rows he wrote and the messages he sends, told at the narrator's level.
    pub fn step(&mut self, at: At, p: PriestId, after: &Durable, step: &Step) {
        let verbose = self.level >= Level::Verbose;
        let who = self.name(p).to_string();
        let mut lines = Vec::new();
        let mut g = self.group.lock().unwrap_or_else(|e| e.into_inner());
        let written: BTreeSet<DecreeNo> = step
            .records
            .iter()
            .filter_map(|r| if let Record::Decree { decree_no, .. } = r { Some(*decree_no) } else { None })
            .collect();
        if g.seen.insert(p) {
            for no in after.decrees.keys().filter(|no| !written.contains(no)) {
                g.held.entry(*no).or_default().insert(p);
            }
        }
        let alone = g.members.len() < g.priests;
        // A ballot is told begun before anything of the step: before the president's own vote in
        // it (the ledger row that begins it, and that a Chamber of one sends no message for), and
        // before any vote or decree that can only follow it.
        let own_votes = step.records.iter().filter_map(|r| match r {
            Record::Voted(v) if v.ballot.priest == p => Some((v.ballot, v.decree_no, &v.decree)),
            _ => None,
        });
        let begun = step.messages.iter().filter_map(|e| match &e.message {
            Message::BeginBallot { ballot, decree_no, decree } => Some((*ballot, *decree_no, decree)),
            _ => None,
        });
        for (ballot, decree_no, decree) in own_votes.chain(begun) {
            if g.begin(ballot, decree_no, decree) {
                lines.push(format!(
                    "{who} begins ballot {} for decree {decree_no}: {decree}",
                    self.ballot(ballot)
                ));
            }
        }
        let mut complete = Vec::new();
        let mut mine = Vec::new();
        for record in &step.records {
            match record {
                Record::Tried { ballot } => {
                    lines.insert(
                        0,
                        format!("{who} acts as president and tries ballot {}", self.ballot(*ballot)),
                    );
                }
                Record::Promised { ballot } if verbose => {
                    let last = after.prev_votes.values().max_by_key(|v| v.ballot);
                    let last = match last {
                        Some(v) => format!(
                            "his last vote was in ballot {} for decree {}",
                            self.ballot(v.ballot),
                            v.decree_no
                        ),
                        None => "he has no vote outstanding".to_string(),
                    };
                    lines.push(format!("{who} promises ballot {}; {last}", self.ballot(*ballot)));
                }
                Record::Voted(v) if verbose => lines.push(format!(
                    "{who} votes in ballot {} for decree {}: {}",
                    self.ballot(v.ballot),
                    v.decree_no,
                    v.decree
                )),
                Record::Decree { decree_no, decree } => {
                    let void = match after.repeats(*decree_no) {
                        Some(first) => format!(" (void: repeats decree {first})"),
                        None => String::new(),
                    };
                    // The first ledger to hold a decree of a ballot told begun tells that a
                    // majority voted in it: no ledger holds a decree before a majority set voted
                    // for it, so the story tells it before any "in all ledgers", whoever writes
                    // first (on the light-load path the voters learn it before the president).
                    let ballot = g.begun.get(decree_no).filter(|(_, d)| d == decree).map(|(b, _)| *b);
                    if let Some(b) = ballot.filter(|_| !g.passed.contains(decree_no)) {
                        g.passed.insert(*decree_no);
                        let b = self.ballot(b);
                        lines.push(format!(
                            "A majority voted in ballot {b}: decree {decree_no} passes, {decree}{void}"
                        ));
                        if let Some(change) = decree.roll_change().filter(|_| void.is_empty()) {
                            let name = self.name(change.priest).to_string();
                            lines.push(membership_told(*decree_no, self.alpha, &name, change));
                        }
                    } else if !verbose && !g.passed.contains(decree_no) {
                        // A decree of a ballot this story never told (an earlier sitting's, or
                        // in a Chamber of processes another's): told as written.
                        mine.push(*decree_no);
                    }
                    if verbose {
                        lines.push(format!("{who} writes decree {decree_no} in his ledger: {decree}{void}"));
                    }
                    let held = g.held.entry(*decree_no).or_default();
                    if held.insert(p) && held.len() == g.priests && !alone {
                        complete.push(*decree_no);
                    }
                }
                _ => {}
            }
        }
        if !mine.is_empty() {
            lines.push(format!("{who} writes {} in his ledger", decree_numbers(&mine)));
        }
        if !complete.is_empty() {
            let (numbers, verb) = (decree_numbers(&complete), if complete.len() == 1 { "is" } else { "are" });
            let all = match g.priests {
                1 => "the one ledger".to_string(),
                n => format!("all {n} ledgers"),
            };
            lines.push(format!("{}{} {verb} in {all}", numbers[..1].to_uppercase(), &numbers[1..]));
        }
        for e in &step.messages {
            if let Message::Rejected { ballot, next_bal } = &e.message
                && !verbose
            {
                lines.push(format!(
                    "{who} refuses ballot {} of {}: he has promised {}",
                    self.ballot(*ballot),
                    self.name(e.to),
                    self.ballot(*next_bal)
                ));
            }
        }
        if verbose {
            lines.extend(self.sends(p, &step.messages, g.priests));
        }
        g.say(at, &lines);
    }

    /// Every message of a step, one line per message however many priests it goes to.
    fn sends(&self, p: PriestId, envelopes: &[Envelope], priests: usize) -> Vec<String> {
        let mut lines = Vec::new();
        let mut i = 0;
        while i < envelopes.len() {
            let m = &envelopes[i].message;
            let same = envelopes[i..].iter().take_while(|e| &e.message == m).count();
            let to: Vec<&str> = envelopes[i..i + same].iter().map(|e| self.name(e.to)).collect();
            let to = if same + 1 >= priests && priests > 2 { "everyone".to_string() } else { to.join(", ") };
            lines.push(format!("{} → {to}: {}", self.name(p), message(&self.names, m)));
            i += same;
        }
        lines
    }

    /// Someone petitions a priest (`from` is "citizen" or a name), who may be away. A petition a
    /// priest hands on is a message, told with his sends (`-v`).
    pub fn petition(&mut self, at: At, from: &str, to: PriestId, petition: &Petition, present: bool) {
        if self.names.iter().any(|n| n == from) {
            return;
        }
        let mut g = self.lock();
        let again = if g.petitions.insert(petition.id.clone()) { "" } else { " again" };
        if !again.is_empty() && self.level < Level::Verbose {
            return;
        }
        let from = if from.is_empty() || from.eq_ignore_ascii_case("citizen") || from == "a citizen" {
            "A citizen"
        } else {
            from
        };
        let away = if present { "" } else { ", who is away" };
        let line = if crate::books::statute::is_read_decree(&Decree::Law(petition.clone())) {
            // `parliament laws --fresh` (§3.3.4): a decree that makes no law, passed to fix a moment.
            format!(
                "{from} asks {}{away}{again} for a read decree, to fix a moment of the law (§3.3.4)",
                self.name(to)
            )
        } else {
            format!("{from} petitions {}{away}{again}: {}", self.name(to), Decree::Law(petition.clone()))
        };
        g.say(at, &[line]);
    }

    /// A priest leaves the Chamber.
    pub fn leave(&mut self, at: At, p: PriestId, rows: usize) {
        let line = format!(
            "{} leaves the Chamber; his slip of paper is lost, his ledger keeps {}",
            self.name(p),
            count(rows, "row")
        );
        self.lock().say(at, &[line]);
    }

    /// A priest leaves between writing his ledger and sending what it allowed.
    pub fn slip_lost(&mut self, at: At, p: PriestId, unsent: usize) {
        let what = match unsent {
            0 => "with nothing yet to send".to_string(),
            1 => "before his 1 message goes out".to_string(),
            n => format!("before his {} go out", count(n, "message")),
        };
        let line = format!("{} leaves the Chamber right after writing his ledger, {what}", self.name(p));
        self.lock().say(at, &[line]);
    }

    /// A priest returns and reads his ledger.
    pub fn come_back(&mut self, at: At, p: PriestId, durable: &Durable) {
        let promise = durable.next_bal.map_or("none".to_string(), |b| self.ballot(b));
        let line = format!(
            "{} comes back and reads his ledger: promise {promise}, {}, {} outstanding",
            self.name(p),
            count(durable.decrees.len(), "decree"),
            count(durable.prev_votes.len(), "vote")
        );
        self.lock().say(at, &[line]);
    }

    /// The messenger loses a message (told with `-v`).
    pub fn lost(&mut self, at: At, e: &Envelope) {
        self.journey(at, e, "the messenger loses it");
    }

    /// The messenger delivers a message twice (told with `-v`).
    pub fn duplicated(&mut self, at: At, e: &Envelope) {
        self.journey(at, e, "the messenger will deliver it twice");
    }

    /// A message reaches a priest who is away (told with `-v`).
    pub fn missed(&mut self, at: At, e: &Envelope) {
        self.journey(at, e, "he is away, and it is lost");
    }

    fn journey(&mut self, at: At, e: &Envelope, what: &str) {
        if self.level >= Level::Verbose {
            let line = format!(
                "{} → {}: {}: {what}",
                self.name(e.from),
                self.name(e.to),
                message(&self.names, &e.message)
            );
            self.lock().say(at, &[line]);
        }
    }

    /// A line of the narrator's own.
    pub fn note(&mut self, at: At, line: String) {
        self.lock().say(at, &[line]);
    }
}
