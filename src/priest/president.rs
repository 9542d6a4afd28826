//! The president (§2.3 steps 1, 3 and 5; §3.1 and §3.2 of the paper).
//!
//! He tries a ballot once per presidency with NextBallot(b, n), n being the last number up to which
//! he knows every decree. Every LastVote for b is kept: its promise, and its votes for the numbers
//! he has not yet begun (B3). Once the priests who promised are a majority set of the roll in force
//! for a number (§2.2, §3.3.6), he may begin its ballot (`office.rs`); each ballot passes when a
//! majority set of that roll has voted.

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
            fill_through: decree_no,
            in_flight: Default::default(),
            proposed: Default::default(),
            next_decree_no: decree_no + 1,
            petition_cursor: 0,
            busiest: (0, 0),
        });
        self.send_all(Message::NextBallot { ballot, decree_no }, true);
    }

    /// Step 3: a LastVote. Decrees it reports are learned; the voter is sent the decrees up to n
    /// he lacks (§3.1); his promise is counted and his votes on numbers not yet begun are kept for
    /// B3, even after the president took office (a later number's roll may need his promise).
    /// Ballots begin at the end of the step (`office.rs`).
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
        let d = &self.durable;
        for vote in votes {
            let k = vote.decree_no;
            if k < p.next_decree_no || k <= d.law_through || d.decrees.contains_key(&k) {
                continue; // begun already, or known: his vote there can change nothing
            }
            if p.reports.get(&k).is_none_or(|v| v.ballot < vote.ballot) {
                p.reports.insert(k, vote);
            }
            if p.prepared {
                p.fill_through = p.fill_through.max(k);
            }
        }
        p.promised.insert(from);
        let (prepared, promised, first) = (p.prepared, p.promised, p.decree_no + 1);
        if !prepared && self.counting_roll(first).is_majority(promised) {
            self.take_office();
        }
    }

    /// A majority set of the roll in force for decree n + 1 has promised: he takes office. The
    /// numbers up to the highest reported or known are filled with reported decrees (B3) or olive
    /// day, never with new petitions, so that no new decree is ordered before one that may have
    /// passed (§3.1).
    fn take_office(&mut self) {
        let last_known = self.durable.decrees.keys().next_back().copied().unwrap_or(0);
        let Some(p) = self.slip.presidency.as_mut() else { return };
        p.prepared = true;
        let last_reported = p.reports.keys().next_back().copied().unwrap_or(0);
        p.fill_through = last_reported.max(last_known).max(p.decree_no);
    }

    /// Begins a ballot: BeginBallot(b, n, d) to the priests of a majority set Q, himself included
    /// (§2.3 step 3: "sends a BeginBallot(b, d) message to every priest in Q"). The others learn
    /// the decree from Success; a ballot unanswered for `retry_ticks` asks every priest
    /// (`preside_tick`), so a priest of Q who left stalls it no longer than that. On the
    /// light-load path Q is every priest: each learns the decree from the others' Voted.
    ///
    /// Asking a majority set alone spares the others a vote and its sync, and on two cores the
    /// wake-ups they cost (`parliament bench --priests 5`, alternating with asking everyone:
    /// one at a time 1,106 -> 1,216 decrees/s, 256 in flight 20,300 -> 23,700; 3 priests one at
    /// a time on the light-load path are slower asked so: 1,700 -> 1,180, the first two voters
    /// no longer learn it together).
    pub(super) fn begin_ballot(&mut self, decree_no: DecreeNo, decree: Decree) {
        let majority_set = self.majority_to_ask(decree_no);
        let everyone: Quorum = self.priests().collect();
        let Some(p) = self.slip.presidency.as_mut() else { return };
        if let Some(petition) = decree.petition() {
            p.proposed.insert(petition.id.clone());
        }
        p.reports.remove(&decree_no);
        // Few ballots in flight and few petitions waiting (under load a president begins his
        // ballots in bursts, the first of each with few in flight): every priest learns this one
        // from the Voted (`Config::votes_to_all`).
        let light = self.config.votes_to_all;
        let busiest = p.busiest.0.max(p.busiest.1).max(p.in_flight.len());
        let to_all = busiest < light && self.slip.petitions.len() <= light;
        if light > 0 {
            p.busiest.0 = p.busiest.0.max(p.in_flight.len() + 1);
        }
        let asked = if to_all || self.config.asks_every_priest { everyone } else { majority_set };
        let voters = Quorum::default();
        let proposal = Proposal { decree: decree.clone(), voters, begun_at: self.slip.now, to_all, asked };
        p.in_flight.insert(decree_no, proposal);
        p.next_decree_no = p.next_decree_no.max(decree_no + 1);
        let ballot = p.ballot;
        // His own vote first (his inbox is read before the step ends); the others' may go ahead
        // of its sync (`Step::ahead`), unless on the light-load path he and any one voter are a
        // majority set: then a voter who finds his Voted beside the BeginBallot writes the decree
        // with his own vote, one wake-up sooner than the sync ahead would save.
        let me = self.id;
        let roll = self.counting_roll(decree_no);
        let pair = |q| {
            let mut two = Quorum::default();
            two.insert(me);
            two.insert(q);
            roll.is_majority(two)
        };
        let with_his_vote = to_all && roll.legislators().filter(|&q| q != me && asked.contains(q)).all(pair);
        self.send(me, Message::BeginBallot { ballot, decree_no, decree: decree.clone() });
        self.send_begin_ballot(Message::BeginBallot { ballot, decree_no, decree }, !with_his_vote, asked);
    }

    /// The majority set Q of the roll in force for `decree_no` he asks to vote: himself, then
    /// the legislators who promised his ballot, then any others, each time in place order after
    /// his own and passing over priests known to be away (`Priest::known_away`). Every priest
    /// if no majority set can be found so.
    fn majority_to_ask(&self, decree_no: DecreeNo) -> Quorum {
        let roll = self.counting_roll(decree_no);
        let promised = self.slip.presidency.as_ref().map(|p| p.promised).unwrap_or_default();
        let places: Vec<PriestId> = self.priests().collect();
        let at = places.iter().position(|&q| q == self.id).unwrap_or(0);
        let order = places[at..].iter().chain(&places[..at]).copied();
        let mut asked = Quorum::default();
        asked.insert(self.id);
        let choices: [&dyn Fn(PriestId) -> bool; 2] =
            [&|q| promised.contains(q) && !self.known_away(q), &|q| !self.known_away(q)];
        for choose in choices {
            for q in order.clone().filter(|&q| roll.is_legislator(q) && choose(q)) {
                if roll.is_majority(asked) {
                    return asked;
                }
                asked.insert(q);
            }
        }
        if roll.is_majority(asked) {
            return asked;
        }
        places.into_iter().collect()
    }

    /// Whether priest `q` is known to be away: heard from once, then not for a president's
    /// timeout (`Config::president_timeout_ticks`).
    pub(super) fn known_away(&self, q: PriestId) -> bool {
        let timeout = self.config.president_timeout_ticks;
        self.slip.heard[q.index()].at.is_some_and(|t| self.slip.now - t > timeout)
    }

    /// Step 5: a Voted. When the priests who voted in his ballot are a majority set of the roll in
    /// force for its number (§2.2, §3.3.6), the decree has passed: he writes it in his ledger and
    /// sends Success to every priest; on the light-load path only to those outside that majority
    /// set, for each priest in it has told every priest his vote and learns the decree from
    /// theirs. A Voted in a ballot not his own is counted by every priest (`voting.rs`).
    pub(super) fn on_voted(&mut self, from: PriestId, ballot: BallotNumber, decree_no: DecreeNo) {
        let Some(p) = self.slip.presidency.as_mut().filter(|p| p.ballot == ballot) else {
            return self.tally_voted(from, ballot, decree_no);
        };
        let Some(proposal) = p.in_flight.get_mut(&decree_no) else { return };
        proposal.voters.insert(from);
        let (voters, decree, to_all) = (proposal.voters, proposal.decree.clone(), proposal.to_all);
        if !self.counting_roll(decree_no).is_majority(voters) {
            return;
        }
        self.learn(decree_no, decree.clone());
        let mut told = if to_all { voters } else { Quorum::default() };
        told.insert(self.id);
        for q in self.priests().filter(|&q| !told.contains(q)) {
            self.send(q, Message::Success { decree_no, decree: decree.clone() });
        }
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

    /// A tick while president, once `retry_ticks` have passed unanswered: re-send NextBallot to
    /// those who have not promised, before he takes office, and BeginBallot to those who have not
    /// voted. In office but short of promises for the roll in force for his next number (§3.3.6),
    /// he tries a new ballot.
    pub(super) fn preside_tick(&mut self) {
        let (now, retry) = (self.slip.now, self.config.retry_ticks);
        let Some(p) = self.slip.presidency.as_ref() else { return };
        let mut next = p.next_decree_no;
        while self.knows(next) {
            next += 1;
        }
        let reachable = next <= self.durable.known.saturating_add(self.roll_law.alpha());
        let short = reachable && !self.counting_roll(next).is_majority(p.promised);
        if p.prepared && short && now - p.asked_at >= retry {
            // A new roll needs promises he lacks, and a priest whose law book ran past n answers
            // NextBallot(b, n) only with how far his book runs (`lawbook.rs`): ask again with a
            // new ballot from what he knows now (found by the simulator, issue 14).
            self.begin_presidency();
            return;
        }
        if !p.prepared && now - p.asked_at >= retry && self.durable.known > p.decree_no {
            // Not yet in office, he has learned decrees past his NextBallot's n since he asked: a
            // priest whose law book ran past n answers only with how far it runs, so asking
            // again with the same n might never win his promise (found by the simulator, seed
            // 70411 of the membership sweep): he asks anew from what he knows now.
            self.begin_presidency();
            return;
        }
        let Some(p) = self.slip.presidency.as_mut() else { return };
        if self.config.votes_to_all > 0 {
            p.busiest = (p.in_flight.len(), p.busiest.0);
        }
        let mut resend = Vec::new();
        let ballot = p.ballot;
        if !p.prepared && now - p.asked_at >= retry {
            p.asked_at = now;
            let decree_no = p.decree_no;
            resend.push((p.promised, Message::NextBallot { ballot, decree_no }));
        }
        for (&decree_no, proposal) in p.in_flight.iter_mut() {
            if now - proposal.begun_at >= retry {
                proposal.begun_at = now;
                let decree = proposal.decree.clone();
                resend.push((proposal.voters, Message::BeginBallot { ballot, decree_no, decree }));
                if proposal.to_all && proposal.voters.contains(self.id) {
                    // His own vote went to every priest with it: so that a priest who missed it
                    // tells his vote to every priest in turn.
                    // Never to himself: that would count a vote his ledger may not hold.
                    let mut answered = proposal.voters;
                    answered.insert(self.id);
                    resend.push((answered, Message::Voted { ballot, decree_no }));
                }
            }
        }
        // Re-sent only to priests not known to be away: one heard from once, then not for a
        // president's timeout, has left the Chamber, and a message to him would only wait in
        // his messagebook (a newcomer's Chamber left short of a majority wrote NextBallot to each
        // absent priest five times a second). He is asked again once he is heard from.
        let away = |q: PriestId| self.known_away(q);
        let sends: Vec<(PriestId, Message)> = resend
            .iter()
            .flat_map(|(answered, message)| {
                self.priests().filter(|&q| !answered.contains(q) && !away(q)).map(|q| (q, message.clone()))
            })
            .collect();
        for (q, message) in sends {
            self.send(q, message);
        }
    }
}
