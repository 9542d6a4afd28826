//! The president (§2.3 steps 1, 3 and 5; §3.1 and §3.2 of the paper).
//!
//! He tries a ballot once per presidency with NextBallot(b, n), n being the last number up to which
//! he knows every decree. When a majority set has answered, he begins a ballot for every number
//! above n that some answer mentioned: with the decree of the highest vote reported for it (B3), or
//! an olive-day decree where none was, so that no new petition is ordered before a decree that may
//! already have passed. Then petitions, several ballots in flight at once (§3.2), each passed when
//! a majority set has voted.

use super::ballot::{BallotNumber, PriestId, Quorum};
use super::config::PlantedBug;
use super::core::{Presidency, Priest, Proposal};
use super::decree::{Decree, DecreeNo};
use super::ledger::Record;
use super::message::{Message, Vote};

impl Priest {
    /// Step 1: choose a ballot number above every one he has tried, promised or seen, record it
    /// as lastTried, then send NextBallot to every priest (himself included).
    pub(super) fn begin_presidency(&mut self) {
        let highest = if self.config.has(PlantedBug::ReuseBallot) {
            self.durable.last_tried
        } else {
            self.durable.last_tried.max(self.durable.next_bal).max(self.slip.highest_seen)
        };
        let ballot = BallotNumber::new(highest.map_or(0, |b| b.round) + 1, self.id);
        self.record(Record::Tried { ballot });
        let decree_no = self.durable.known;
        self.slip.presidency = Some(Presidency {
            ballot,
            decree_no,
            asked_at: self.slip.now,
            promised: Quorum::default(),
            reports: Default::default(),
            prepared: false,
            in_flight: Default::default(),
            proposed: Default::default(),
            next_decree_no: decree_no + 1,
            petition_cursor: 0,
        });
        self.send_all(Message::NextBallot { ballot, decree_no }, true);
    }

    /// Step 3: a LastVote. Decrees it reports are learned; votes are kept for B3; the voter is
    /// sent the decrees up to n he lacks (§3.1). With a majority set, ballots begin.
    pub(super) fn on_last_vote(
        &mut self,
        from: PriestId,
        ballot: BallotNumber,
        n: DecreeNo,
        known: DecreeNo,
        votes: Vec<Vote>,
        decrees: Vec<(DecreeNo, Decree)>,
    ) {
        let Some(p) = self.slip.presidency.as_ref() else { return };
        let counts =
            ballot == p.ballot || (self.config.has(PlantedBug::CountOldLastVote) && ballot.priest == self.id);
        if !counts {
            return;
        }
        for (decree_no, decree) in decrees {
            self.learn(decree_no, decree);
        }
        self.send_decrees(from, known + 1, n);
        let Some(p) = self.slip.presidency.as_mut() else { return };
        if p.prepared {
            return;
        }
        for vote in votes {
            let higher = p.reports.get(&vote.decree_no).is_none_or(|v| v.ballot < vote.ballot);
            if higher {
                p.reports.insert(vote.decree_no, vote);
            }
        }
        p.promised.insert(from);
        if p.promised.is_majority_of(self.config.priests) {
            self.take_office();
        }
    }

    /// A majority set has promised: begin a ballot for every number above n that is not known,
    /// with the highest reported vote's decree (B3) or olive day, then turn to petitions.
    fn take_office(&mut self) {
        let Some(p) = self.slip.presidency.as_mut() else { return };
        p.prepared = true;
        let reports = std::mem::take(&mut p.reports);
        let last_reported = reports.keys().next_back().copied().unwrap_or(0);
        let last_known = self.durable.decrees.keys().next_back().copied().unwrap_or(0);
        let top = last_reported.max(last_known).max(p.decree_no);
        for decree_no in p.decree_no + 1..=top {
            // Known: in his statute book, or in his law book if a volume closed since he asked.
            if decree_no <= self.durable.law_through || self.durable.decrees.contains_key(&decree_no) {
                continue;
            }
            let decree = match reports.get(&decree_no) {
                Some(_) if self.config.has(PlantedBug::IgnoreHighestVote) => Decree::OliveDay,
                Some(vote) => vote.decree.clone(),
                None => Decree::OliveDay,
            };
            self.begin_ballot(decree_no, decree);
        }
        if let Some(p) = self.slip.presidency.as_mut() {
            p.next_decree_no = p.next_decree_no.max(top + 1);
        }
        self.propose_petitions();
    }

    /// Begins a ballot: BeginBallot(b, n, d) to every priest, himself included.
    fn begin_ballot(&mut self, decree_no: DecreeNo, decree: Decree) {
        let Some(p) = self.slip.presidency.as_mut() else { return };
        if let Some(petition) = decree.petition() {
            p.proposed.insert(petition.id.clone());
        }
        let proposal =
            Proposal { decree: decree.clone(), voters: Quorum::default(), begun_at: self.slip.now };
        p.in_flight.insert(decree_no, proposal);
        let ballot = p.ballot;
        self.send_all(Message::BeginBallot { ballot, decree_no, decree }, true);
    }

    /// Puts waiting petitions to ballots at fresh numbers, up to `window` ballots in flight. A
    /// petition already passed or already in one of his ballots is never proposed again.
    pub(super) fn propose_petitions(&mut self) {
        loop {
            let Some(p) = self.slip.presidency.as_mut().filter(|p| p.prepared) else { return };
            if p.in_flight.len() >= self.config.window {
                return;
            }
            let next =
                self.slip.petitions.range(p.petition_cursor..).find(|(_, pet)| {
                    !p.proposed.contains(&pet.id) && !self.durable.passed.contains_key(&pet.id)
                });
            let Some((&seq, petition)) = next else {
                p.petition_cursor = self.slip.petition_seq_next;
                return;
            };
            let petition = petition.clone();
            p.petition_cursor = seq + 1;
            let mut decree_no = p.next_decree_no;
            while self.durable.decrees.contains_key(&decree_no) {
                decree_no += 1;
            }
            p.next_decree_no = decree_no + 1;
            self.begin_ballot(decree_no, Decree::Law(petition));
        }
    }

    /// Step 5: a Voted. When a majority set has voted in his ballot, the decree has passed: he
    /// writes it in his ledger and sends Success to every priest.
    pub(super) fn on_voted(&mut self, from: PriestId, ballot: BallotNumber, decree_no: DecreeNo) {
        let Some(p) = self.slip.presidency.as_mut().filter(|p| p.ballot == ballot) else { return };
        let Some(proposal) = p.in_flight.get_mut(&decree_no) else { return };
        proposal.voters.insert(from);
        if !proposal.voters.is_majority_of(self.config.priests) {
            return;
        }
        let decree = proposal.decree.clone();
        self.learn(decree_no, decree.clone());
        self.send_all(Message::Success { decree_no, decree }, false);
        self.propose_petitions();
    }

    /// A priest refused his ballot, having promised a higher one (§2.4): give up this ballot and,
    /// if still president, try a higher one at once.
    pub(super) fn on_rejected(&mut self, ballot: BallotNumber, next_bal: BallotNumber) {
        self.saw(next_bal);
        if self.slip.presidency.as_ref().is_some_and(|p| p.ballot == ballot) {
            self.slip.presidency = None;
            if self.president() == Some(self.id) {
                self.begin_presidency();
            }
        }
    }

    /// A tick while president: re-send NextBallot to those who have not promised, and
    /// BeginBallot to those who have not voted, once `retry_ticks` have passed unanswered.
    pub(super) fn preside_tick(&mut self) {
        let (now, retry) = (self.slip.now, self.config.retry_ticks);
        let Some(p) = self.slip.presidency.as_mut() else { return };
        let mut resend = Vec::new();
        let ballot = p.ballot;
        if !p.prepared {
            if now - p.asked_at >= retry {
                p.asked_at = now;
                let decree_no = p.decree_no;
                resend.push((p.promised, Message::NextBallot { ballot, decree_no }));
            }
        } else {
            for (&decree_no, proposal) in p.in_flight.iter_mut() {
                if now - proposal.begun_at >= retry {
                    proposal.begun_at = now;
                    let decree = proposal.decree.clone();
                    resend.push((proposal.voters, Message::BeginBallot { ballot, decree_no, decree }));
                }
            }
        }
        for (answered, message) in resend {
            for q in self.priests().filter(|&q| !answered.contains(q)) {
                self.send(q, message.clone());
            }
        }
        // Ballots also end by Success from elsewhere, not only by Voted: refill the window.
        self.propose_petitions();
    }
}
