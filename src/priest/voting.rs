//! What every priest does when asked to promise or to vote (§2.3 steps 2 and 4, in the
//! multi-decree form of §3.1), how he refuses (§2.4), and how he answers a priest catching up.

use super::ballot::Quorum;
use super::ballot::{BallotNumber, PriestId};
use super::config::PlantedBug;
use super::core::{Priest, Tally};
use super::decree::{Decree, DecreeNo};
use super::ledger::Record;
use super::message::{Message, Vote};

impl Priest {
    /// Step 2: NextBallot(b, n). If b is not below his promise he promises it (recorded first),
    /// then answers with LastVote: for every number above n, the decree he has or his latest vote
    /// in a ballot below b.
    ///
    /// Asked again for the ballot he already promised (a duplicate, a president's retry, or a
    /// NextBallot the messenger delayed past the BeginBallots of the same ballot, issue 17), he
    /// answers again rather than not at all: the paper has q ignore a NextBallot(b) with
    /// b ≤ nextBal[q], but his first LastVote may have been lost, and a president who cannot
    /// replace it may never hear from a majority set and stall. The answer is the LastVote he
    /// first sent, a function of his ledger rows before his Promised(b) row (`last_votes`): the
    /// votes he cast in b since are never in it, so it is a message Paxos could have sent, a copy
    /// of the first. Decrees he has learned since stand in for his vote on their numbers, as they
    /// did in the first answer for decrees he already had.
    pub(super) fn on_next_ballot(&mut self, from: PriestId, ballot: BallotNumber, n: DecreeNo) {
        self.saw(ballot);
        if let Some(next_bal) = self.durable.next_bal.filter(|&nb| ballot < nb) {
            self.send(from, Message::Rejected { ballot, next_bal });
            return;
        }
        if n < self.durable.law_through {
            // His law book holds decrees n+1.. he can no longer tell: the president must catch up
            // first (`lawbook.rs`). How far his book runs tells him so.
            let known = self.durable.known;
            self.send(from, Message::Heartbeat { known });
            return;
        }
        if Some(ballot) > self.durable.next_bal {
            self.record(Record::Promised { ballot });
            self.outvoted_by(from, ballot);
        }
        let told = if self.config.has(PlantedBug::ReportCurrentVote) {
            &self.durable.prev_votes
        } else {
            &self.durable.last_votes
        };
        let votes = told.range(n + 1..).map(|(_, v)| v.clone()).collect();
        let decrees = self.durable.decrees.range(n + 1..).map(|(&no, d)| (no, d.clone())).collect();
        let known = self.durable.known;
        self.send(from, Message::LastVote { ballot, decree_no: n, known, votes, decrees });
    }

    /// Step 4: BeginBallot(b, n, d). If b is not below his promise he votes (recorded first), then
    /// answers Voted. If he already knows decree n, he tells the president instead.
    pub(super) fn on_begin_ballot(
        &mut self,
        from: PriestId,
        ballot: BallotNumber,
        decree_no: DecreeNo,
        decree: Decree,
    ) {
        self.saw(ballot);
        let below = self.durable.next_bal.filter(|&nb| ballot < nb);
        if let Some(next_bal) = below
            && !self.config.has(PlantedBug::VoteBelowPromise)
        {
            self.send(from, Message::Rejected { ballot, next_bal });
            return;
        }
        if decree_no <= self.durable.law_through {
            // Decided, and in his law book: a president asking is behind and must catch up.
            let known = self.durable.known;
            self.send(from, Message::Heartbeat { known });
            return;
        }
        if let Some(known) = self.durable.decrees.get(&decree_no) {
            let decree = known.clone();
            self.send(from, Message::Success { decree_no, decree });
            return;
        }
        if below.is_none() && Some(ballot) > self.durable.next_bal {
            // Voting in b is promising b: no vote below it may follow.
            self.record(Record::Promised { ballot });
            self.outvoted_by(from, ballot);
        }
        let vote = Vote { decree_no, ballot, decree };
        if self.durable.prev_votes.get(&decree_no) != Some(&vote) {
            self.record(Record::Voted(vote));
        }
        if from == self.id {
            // The president votes in his own ballot; on the light-load path he tells every priest.
            let presidency = self.slip.presidency.as_ref().filter(|p| p.ballot == ballot);
            let proposal = presidency.and_then(|p| p.in_flight.get(&decree_no));
            let voted = Message::Voted { ballot, decree_no };
            return match proposal.filter(|p| p.to_all) {
                // To the priests he asked to vote, who count it with their own.
                Some(p) => {
                    let asked = p.asked;
                    for q in self.priests().filter(|&q| asked.contains(q)) {
                        self.send(q, voted.clone());
                    }
                }
                None => self.send(from, voted),
            };
        }
        self.send(from, Message::Voted { ballot, decree_no });
        self.count_tally(ballot, decree_no);
    }

    /// A Voted in a ballot not his own (the light-load path, `Config::votes_to_all`): noted in
    /// his tally for that number, which keeps only the latest ballot he has heard of there.
    /// Only for a number whose roll in force he knows (every decree through n − α, §3.3.6), so
    /// that he counts majority sets as the president does.
    pub(super) fn tally_voted(&mut self, from: PriestId, ballot: BallotNumber, decree_no: DecreeNo) {
        if self.config.votes_to_all == 0
            || self.knows(decree_no)
            || decree_no > self.durable.known.saturating_add(self.roll_law.alpha())
        {
            return;
        }
        let tallies = &mut self.slip.tallies;
        while let Some(entry) = tallies.first_entry().filter(|e| *e.key() <= self.durable.known) {
            entry.remove(); // learned from a law book or an inquiry since
        }
        let fresh = Tally { ballot, voters: Quorum::default(), told: false };
        let tally = tallies.entry(decree_no).or_insert(fresh);
        if ballot < tally.ballot {
            return;
        }
        if ballot > tally.ballot {
            *tally = fresh;
        }
        tally.voters.insert(from);
        self.count_tally(ballot, decree_no);
    }

    /// If he voted in `ballot` on `decree_no` and the president of that ballot told him his own
    /// vote, he tells his to every priest (once); if the votes he has heard there, his own
    /// included, are a majority set of the roll in force, the decree he voted for has passed
    /// (§3.2; B1 gives each ballot one decree a number, and the rules check it), and he learns it
    /// without waiting for Success.
    pub(super) fn count_tally(&mut self, ballot: BallotNumber, decree_no: DecreeNo) {
        let Some(vote) = self.durable.prev_votes.get(&decree_no).filter(|v| v.ballot == ballot) else {
            return;
        };
        let decree = vote.decree.clone();
        let me = self.id;
        let Some(tally) = self.slip.tallies.get_mut(&decree_no).filter(|t| t.ballot == ballot) else {
            return;
        };
        tally.voters.insert(me);
        let president = ballot.priest;
        let tell = !tally.told && president != me && tally.voters.contains(president);
        tally.told |= tell;
        let voters = tally.voters;
        if tell {
            for q in self.priests().filter(|&q| q != me && q != president) {
                self.send(q, Message::Voted { ballot, decree_no });
            }
        }
        if self.counting_roll(decree_no).is_majority(voters) {
            // Every priest of that majority set told the president too: he learns it as surely
            // as we do, news as fresh as his Success would have been (`core.rs`).
            let heard = &mut self.slip.heard[president.index()];
            heard.known = heard.known.max(decree_no);
            self.learn(decree_no, decree);
        }
    }

    /// A promise to another priest's higher ballot ends his own presidency: his ballot can no
    /// longer win a majority that includes himself.
    fn outvoted_by(&mut self, from: PriestId, ballot: BallotNumber) {
        if from != self.id && self.slip.presidency.as_ref().is_some_and(|p| p.ballot < ballot) {
            self.slip.presidency = None;
        }
    }

    /// An inquiry from a priest catching up: send him the decrees from `decree_no` on, a batch at
    /// a time, and say how far our own book runs so he knows whether to ask again.
    pub(super) fn on_inquiry(&mut self, from: PriestId, decree_no: DecreeNo) {
        self.send_decrees(from, decree_no, DecreeNo::MAX);
        let known = self.durable.known;
        self.send(from, Message::Heartbeat { known });
    }

    /// Sends Success for each decree he has numbered `first..=last`, at most one batch.
    pub(super) fn send_decrees(&mut self, to: PriestId, first: DecreeNo, last: DecreeNo) {
        if first > last {
            return;
        }
        let batch: Vec<_> = self
            .durable
            .decrees
            .range(first..=last)
            .take(self.config.catch_up_batch)
            .map(|(&decree_no, d)| Message::Success { decree_no, decree: d.clone() })
            .collect();
        for m in batch {
            self.send(to, m);
        }
    }
}
