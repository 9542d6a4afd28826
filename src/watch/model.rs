//! What `parliament watch` knows of a Chamber: the whole Parliament at once, fed event by event and
//! knowing nothing of files. The data source reads ledger rows, deliveries and presence wherever
//! the Chamber keeps them and calls [`WatchState::ledger_row`], [`WatchState::message`],
//! [`WatchState::petition`] and [`WatchState::priest_status`]; the screen only reads.
//!
//! From the ledger rows alone (indelible ink, §2.3) it derives each priest's lastTried, nextBal and
//! latest vote, how far his statute book runs, the president (the owner of the highest ballot
//! promised, §2.4), the ballots in flight and the statute book ([`super::flight`]). Every ledger row
//! also goes through [`Rules`], the same rules the simulator and the audit check (agreement, B1,
//! promises kept, B3, validity), so a broken one shows the moment its row is read.

use std::collections::{BTreeSet, VecDeque};

use chrono::{DateTime, Utc};

use super::flight::Flight;
use super::words;
use crate::audit::ledger_file;
use crate::books::Roll;
use crate::priest::{
    BallotNumber, Decree, DecreeNo, FixedMap, FixedSet, Message, Petition, PetitionId, PriestId, Record, Vote,
};
use crate::rules::{Rule, Rules};

/// How many deliveries the watch remembers, newest first.
pub const DELIVERIES_KEPT: usize = 256;

/// Whether a priest is in the Chamber, as the data source sees it (heartbeats, processes, God).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Presence {
    /// In the Chamber: his heartbeats arrive.
    #[default]
    Present,
    /// Left the Chamber (§1.2): no heartbeat lately, or killed.
    Away,
    /// In the Chamber but refusing to vote: his ledger is damaged or missing.
    Refusing,
}

impl Presence {
    /// The word the priests panel shows.
    pub fn word(self) -> &'static str {
        match self {
            Presence::Present => "present",
            Presence::Away => "away",
            Presence::Refusing => "refusing",
        }
    }
}

/// What the priests panel shows of a priest's durable state (§2.3), folded from his ledger rows
/// as [`crate::priest::Durable::apply`] folds them, keeping only what is shown: lastTried, nextBal
/// and how far his statute book runs. The whole statute book, prevVotes and the petitions passed
/// are the rules' to keep ([`Rules`]); a copy of them for each priest cost the watch a tenth of
/// its time under load.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DurableView {
    /// lastTried: the latest ballot he tried.
    pub last_tried: Option<BallotNumber>,
    /// nextBal: the highest ballot he promised.
    pub next_bal: Option<BallotNumber>,
    /// Every decree number up to this one is in his statute book.
    pub known: DecreeNo,
    /// The decree numbers above `known` his statute book holds (holes allowed below them, §3.3.2).
    beyond: BTreeSet<DecreeNo>,
}

impl DurableView {
    /// Folds one ledger row in.
    pub fn apply(&mut self, record: &Record) {
        match record {
            Record::Tried { ballot } => self.last_tried = self.last_tried.max(Some(*ballot)),
            Record::Promised { ballot } => self.next_bal = self.next_bal.max(Some(*ballot)),
            Record::Voted(_) => {}
            // The next number, with no hole above: how nearly every Decree row comes.
            Record::Decree { decree_no, .. } if *decree_no == self.known + 1 && self.beyond.is_empty() => {
                self.known += 1;
            }
            Record::Decree { decree_no, .. } => {
                if *decree_no > self.known {
                    self.beyond.insert(*decree_no);
                }
                self.close_up();
            }
        }
    }

    /// A new volume of his ledger says his law book runs through `through` (§3.3.2): every
    /// decree up to it is his, though the volume has no row for each. (A watch that began after
    /// the first volume closed saw none of the rows below; without this he would seem to lack
    /// them all, and every later number would wait above the hole.)
    pub fn restated(&mut self, through: DecreeNo) {
        if through > self.known {
            self.known = through;
            self.beyond = self.beyond.split_off(&(through + 1));
        }
        self.close_up();
    }

    /// Moves `known` on over the numbers above it that now run without a hole.
    fn close_up(&mut self) {
        while self.beyond.first() == Some(&(self.known + 1)) {
            self.beyond.pop_first();
            self.known += 1;
        }
    }

    /// The highest decree number his statute book holds.
    pub fn last_decree(&self) -> DecreeNo {
        self.beyond.last().copied().unwrap_or(self.known)
    }
}

/// One priest as his ledger and his presence show him.
#[derive(Clone, Debug, Default)]
pub struct PriestView {
    /// lastTried, nextBal and how far his statute book runs, as the fold of his ledger's rows.
    pub durable: DurableView,
    /// His latest Voted row, even once its decree is known.
    pub latest_vote: Option<Vote>,
    /// Present, away or refusing.
    pub presence: Presence,
    /// How many ledger rows have been read.
    pub rows: u64,
    /// The `at` of his latest ledger row.
    pub last_at: Option<DateTime<Utc>>,
}

impl PriestView {
    /// The highest decree number his statute book holds (it may have gaps below, §3.3.2).
    pub fn last_decree(&self) -> DecreeNo {
        self.durable.last_decree()
    }
}

/// What became of a message, where the Chamber knows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fate {
    /// Read by its recipient.
    Delivered,
    /// The messenger lost it.
    Lost,
    /// The messenger delivered it twice.
    Duplicated,
}

/// One message moving: `from → to  Kind(args)`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Delivery {
    /// The sender: a priest's name, or whoever signed a petition.
    pub from: String,
    /// The recipient's name.
    pub to: String,
    /// The paper's name of the message (`NextBallot`...).
    pub kind: &'static str,
    /// Its arguments in the paper's order (`4.Lynch, 7`).
    pub args: String,
    /// When it was written, if the row says.
    pub at: Option<DateTime<Utc>>,
    /// Where it was read: file and line.
    pub file: String,
    /// The line of that file.
    pub line: u64,
    /// Delivered, lost or duplicated.
    pub fate: Fate,
}

/// A broken rule, where it broke.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Broken {
    /// The rule.
    pub rule: Rule,
    /// The file holding the row that broke it.
    pub file: String,
    /// The line of that file.
    pub line: u64,
    /// What was wrong, in the paper's words.
    pub detail: String,
}

/// The watch's whole view of one Chamber.
#[derive(Clone, Debug)]
pub struct WatchState {
    roll: Roll,
    dir_label: String,
    rules: Rules,
    priests: Vec<PriestView>,
    deliveries: VecDeque<Delivery>,
    flight: Flight,
    broken: Vec<Broken>,
    /// Every petition made, by id: a hash set, as every Decree row of every ledger looks here
    /// (a tree of tens of thousands of ids cost a dozen string comparisons a row).
    petitions: FixedSet<PetitionId>,
    /// Decrees carrying petitions not yet seen in any messagebook: where, and the text they carry.
    /// Each is held as the priest and line of the first ledger row carrying it, and the petition
    /// it carries; the finding is written out only if the petition never shows (under load every
    /// decree passes through here for a moment, as ledgers are read before messagebooks).
    unseen: FixedMap<PetitionId, (PriestId, u64, Petition)>,
    latest_at: Option<DateTime<Utc>>,
}

impl WatchState {
    /// The view of a Chamber with this roll; `dir_label` is how the title names the Chamber.
    pub fn new(roll: Roll, dir_label: impl Into<String>) -> Self {
        let n = roll.len();
        WatchState {
            rules: Rules::with_roll(roll.weights().to_vec(), crate::priest::DEFAULT_ALPHA)
                .with_names(roll.names().to_vec()),
            priests: vec![PriestView::default(); n],
            flight: Flight::new(),
            roll,
            dir_label: dir_label.into(),
            deliveries: VecDeque::with_capacity(DELIVERIES_KEPT),
            broken: Vec::new(),
            petitions: FixedSet::default(),
            unseen: FixedMap::default(),
            latest_at: None,
        }
    }

    /// The view of a Chamber laid out with window `alpha` (§3.3.6, `chamber.csv`): the rules
    /// count each decree's majority sets by the roll in force for its number.
    pub fn with_alpha(mut self, alpha: u64) -> Self {
        let names = self.roll.names().to_vec();
        self.rules = Rules::with_roll(self.roll.weights().to_vec(), alpha).with_names(names);
        self
    }

    /// A row a new volume of `priest`'s ledger restates (§3.3.2): what he holds, for a watch that
    /// missed the volume that first wrote it; no new act, so the rules do not take it again (a
    /// restated `Tried` row is no second try, B1).
    pub fn restating_row(&mut self, priest: PriestId, line: u64, record: &Record) {
        if let Record::Decree { decree_no, decree } = record {
            self.decree_seen(priest, line, *decree_no, decree, None);
        }
        self.priests[priest.index()].durable.apply(record);
    }

    /// A Decree row in `priest`'s ledger, for the ballots and the statute book; the first of its
    /// number looks for its petition (once, not in each ledger that holds it).
    fn decree_seen(
        &mut self,
        priest: PriestId,
        line: u64,
        no: DecreeNo,
        decree: &Decree,
        at: Option<DateTime<Utc>>,
    ) {
        if self.flight.decree(priest, no, decree, at)
            && let Decree::Law(p) = decree
            && !self.petitions.contains(&p.id)
            && !self.unseen.contains_key(&p.id)
        {
            // The petition's row may simply not have been read yet: hold judgement (validity) until
            // the data source says every messagebook has been read through.
            self.rules.petition_made(p);
            self.unseen.insert(p.id.clone(), (priest, line, p.clone()));
        }
    }

    /// The next row of `priest`'s ledger, read at `line` of his ledger file. Rows of one priest must
    /// come in ledger order; priests may interleave in any order.
    pub fn ledger_row(&mut self, priest: PriestId, line: u64, record: &Record, at: Option<DateTime<Utc>>) {
        self.seen_at(at);
        // The ledgers hold each decree five times over: its petition is looked for once, at the
        // first (the rules check that the others agree).
        if let Record::Decree { decree_no, decree } = record {
            self.decree_seen(priest, line, *decree_no, decree, at);
        }
        if let Err(v) = self.rules.observe_row(priest, line as usize, record) {
            let file = self.file_of(v.priest);
            self.violation(v.rule, file, v.row as u64, v.detail);
        }
        let view = &mut self.priests[priest.index()];
        view.durable.apply(record);
        view.rows += 1;
        view.last_at = at.or(view.last_at);
        match record {
            Record::Voted(vote) => {
                view.latest_vote = Some(vote.clone());
                let roll = self.rules.roll_law().in_force(vote.decree_no);
                self.flight.vote(priest, vote, at, roll);
            }
            Record::Decree { .. } | Record::Tried { .. } | Record::Promised { .. } => {}
        }
    }

    /// A new volume of `priest`'s ledger restates that his law book runs through `through`.
    pub fn restated(&mut self, priest: PriestId, through: DecreeNo) {
        self.priests[priest.index()].durable.restated(through);
    }

    /// A message from priest `from` read by priest `to` at `line` of `file`.
    pub fn message(
        &mut self,
        from: PriestId,
        to: PriestId,
        message: &Message,
        at: Option<DateTime<Utc>>,
        file: &str,
        line: u64,
    ) {
        self.message_fate(from, to, message, at, file, line, Fate::Delivered);
    }

    /// A message the Chamber knows was lost or duplicated on its way (or delivered, as `message`).
    #[allow(clippy::too_many_arguments)]
    pub fn message_fate(
        &mut self,
        from: PriestId,
        to: PriestId,
        message: &Message,
        at: Option<DateTime<Utc>>,
        file: &str,
        line: u64,
        fate: Fate,
    ) {
        self.heard(message, at);
        let from = self.roll.name(from).to_string();
        self.deliver(from, to, message, at, file, line, fate);
    }

    /// A message read but never shown (it would scroll out of view before the next screen): what
    /// it tells the view, a ballot begun (§3.1) or a petition made, without a delivery.
    pub fn heard(&mut self, message: &Message, at: Option<DateTime<Utc>>) {
        self.seen_at(at);
        if let Message::BeginBallot { ballot, decree_no, decree } = message {
            self.flight.begun(*decree_no, *ballot, decree);
        }
        if let Message::Petition(p) = message {
            self.petition_made(p);
        }
    }

    /// A petition from anyone (a citizen, or a priest passing it on), read by priest `to`: makes it
    /// valid for a decree to carry it.
    pub fn petition(
        &mut self,
        from: &str,
        to: PriestId,
        petition: &Petition,
        at: Option<DateTime<Utc>>,
        file: &str,
        line: u64,
    ) {
        self.petition_made(petition);
        let message = Message::Petition(petition.clone());
        self.deliver(from.to_string(), to, &message, at, file, line, Fate::Delivered);
    }

    /// Every messagebook has been read through: a decree whose petition is still unseen was
    /// petitioned by no one, and breaks validity.
    pub fn books_read(&mut self) {
        let mut unseen: Vec<_> = std::mem::take(&mut self.unseen).into_values().collect();
        unseen.sort_by_key(|(priest, line, _)| (*priest, *line));
        for (priest, line, p) in unseen {
            let detail = format!("decree carries petition {} that no one made", p.id);
            self.broken.push(Broken { rule: Rule::Validity, file: self.file_of(priest), line, detail });
        }
    }

    /// Whether a priest is present, away or refusing.
    pub fn priest_status(&mut self, priest: PriestId, presence: Presence) {
        self.priests[priest.index()].presence = presence;
    }

    /// A broken rule found by the data source itself, or by the rules over the ledger rows.
    pub fn violation(&mut self, rule: Rule, file: impl Into<String>, line: u64, detail: impl Into<String>) {
        self.broken.push(Broken { rule, file: file.into(), line, detail: detail.into() });
    }

    /// The roll: names and ballots written with names.
    pub fn roll(&self) -> &Roll {
        &self.roll
    }

    /// How much more weight of votes `ballot` needs before a majority set of the roll in force
    /// for its number has voted in it (0 once it has).
    pub fn needs(&self, ballot: &super::flight::InFlight) -> u64 {
        Flight::needs(ballot, self.rules.roll_law().in_force(ballot.decree_no))
    }

    /// The least weight of a majority set of the latest roll the ledgers tell of.
    pub fn majority(&self) -> u64 {
        Flight::majority(self.rules.roll_law().latest())
    }

    /// Whether the latest roll the ledgers tell of gives any legislator more than one vote:
    /// a majority set is then counted by weight, not by heads.
    pub fn weighted(&self) -> bool {
        self.rules.roll_law().latest().0.iter().any(|&w| w > 1)
    }

    /// How the title names the Chamber.
    pub fn dir_label(&self) -> &str {
        &self.dir_label
    }

    /// Each priest, in roll order.
    /// Whether the priests present now make a majority set of the latest roll: if not, a
    /// petition waits until enough come back (§2.4).
    pub fn majority_present(&self) -> bool {
        let mut present = crate::priest::Quorum::default();
        for (i, p) in self.priests.iter().enumerate() {
            if p.presence == Presence::Present {
                present.insert(PriestId(i as u16));
            }
        }
        self.rules.roll_law().latest().is_majority(present)
    }

    pub fn priests(&self) -> &[PriestView] {
        &self.priests
    }

    /// The president, as the ledgers show it: the owner of the highest ballot any priest promised.
    pub fn president(&self) -> Option<PriestId> {
        self.priests.iter().filter_map(|p| p.durable.next_bal).max().map(|b: BallotNumber| b.priest)
    }

    /// The latest deliveries, newest first.
    pub fn deliveries(&self) -> impl Iterator<Item = &Delivery> {
        self.deliveries.iter()
    }

    /// The ballots in flight and the statute book.
    pub fn flight(&self) -> &Flight {
        &self.flight
    }

    /// The first broken rule, which the frame names.
    pub fn first_broken(&self) -> Option<&Broken> {
        self.broken.first()
    }

    /// Every broken rule, in the order found.
    pub fn broken(&self) -> &[Broken] {
        &self.broken
    }

    /// The latest `at` of any row seen.
    pub fn latest_at(&self) -> Option<DateTime<Utc>> {
        self.latest_at
    }

    fn file_of(&self, priest: PriestId) -> String {
        ledger_file(self.roll.name(priest))
    }

    fn seen_at(&mut self, at: Option<DateTime<Utc>>) {
        self.latest_at = self.latest_at.max(at);
    }

    fn petition_made(&mut self, petition: &Petition) {
        self.rules.petition_made(petition);
        if !self.petitions.contains(&petition.id) {
            self.petitions.insert(petition.id.clone());
        }
        if let Some((priest, line, carried)) = self.unseen.remove(&petition.id)
            && *carried.text != *petition.text
        {
            let detail = format!("a decree changes the text of petition {}", petition.id);
            self.broken.push(Broken { rule: Rule::Validity, file: self.file_of(priest), line, detail });
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn deliver(
        &mut self,
        from: String,
        to: PriestId,
        message: &Message,
        at: Option<DateTime<Utc>>,
        file: &str,
        line: u64,
        fate: Fate,
    ) {
        self.seen_at(at);
        if self.deliveries.len() == DELIVERIES_KEPT {
            self.deliveries.pop_back();
        }
        self.deliveries.push_front(Delivery {
            from,
            to: self.roll.name(to).to_string(),
            kind: message.kind(),
            args: words::message_args(&self.roll, message),
            at,
            file: file.to_string(),
            line,
            fate,
        });
    }
}
