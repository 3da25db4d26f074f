//! Users spread over several D1 databases ("shards").
//!
//! One D1 database is 10 GB and runs one query at a time; a deployment grows by binding
//! more. Each user lives in one shard, chosen when the user is created and recorded in
//! the *directory* (shard 0, which also holds what belongs to no one user: sweeps, dead
//! letters, the app's rests, the operator's alerts), so that adding a shard later never
//! moves anybody. Everything of a user (their row, sessions, plays, gaps, imports,
//! channels and the catalogue rows their plays join) is in their shard: a request reads
//! one database, and the SQL is the same in every shard.
//!
//! With one database bound, shard 0 is everything and the product is what it was.

use std::fmt;

use serde::{Deserialize, Serialize};

/// A shard's number: 0 is the `ARCHIVE_DB` binding (and the directory), k ≥ 1 is
/// `ARCHIVE_DB_<k>`.
pub type ShardIndex = u32;

/// The directory's shard.
pub const DIRECTORY: ShardIndex = 0;

/// A token that names its shard: the token, after its shard's number and a dot when it
/// lives past shard 0 (shard 0's tokens are the token alone, as before there were
/// shards). Session cookies and public links are written so: the number only says where
/// to look, and the row is found by the token's hash in that shard, or not at all.
pub fn sharded_token(shard: ShardIndex, token: &str) -> String {
    if shard == DIRECTORY {
        token.to_owned()
    } else {
        format!("{shard}.{token}")
    }
}

/// The shard and token of a [`sharded_token`]. Tokens are base64url, without dots. The
/// shard is read only as it is written: decimal digits without a sign or a leading zero
/// (`parse` alone would take `+2` for shard 2).
pub fn read_sharded_token(value: &str) -> Option<(ShardIndex, &str)> {
    match value.split_once('.') {
        None => Some((DIRECTORY, value)),
        Some((shard, token))
            if shard.bytes().all(|byte| byte.is_ascii_digit())
                && (!shard.starts_with('0') || shard == "0") =>
        {
            Some((shard.parse().ok()?, token))
        }
        Some(_) => None,
    }
}

/// The most shards a deployment binds (D1 allows thousands of databases; this bounds
/// what one invocation fans out to).
pub const MAX_SHARDS: usize = 64;

/// The binding of shard `index`, as in wrangler.toml.
pub fn binding_name(index: ShardIndex) -> String {
    if index == DIRECTORY {
        "ARCHIVE_DB".to_owned()
    } else {
        format!("ARCHIVE_DB_{index}")
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ShardError {
    /// A message, cookie or record names a shard this deployment does not bind.
    Unknown(ShardIndex),
}

impl fmt::Display for ShardError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Unknown(index) => write!(f, "shard {index} is not bound"),
        }
    }
}

impl std::error::Error for ShardError {}

/// The databases of a deployment, in shard order, and how new users are spread.
#[derive(Debug)]
pub struct Shards<'a, D> {
    databases: Vec<&'a D>,
    /// New users per shard relative to the others (`SHARD_WEIGHTS`); 0 takes none.
    weights: Vec<u32>,
}

impl<D> Clone for Shards<'_, D> {
    fn clone(&self) -> Self {
        Self {
            databases: self.databases.clone(),
            weights: self.weights.clone(),
        }
    }
}

impl<'a, D> Shards<'a, D> {
    /// One database: the directory and the only shard.
    pub fn single(database: &'a D) -> Self {
        Self {
            databases: vec![database],
            weights: vec![1],
        }
    }

    /// The bound databases, shard 0 first, every weight 1. `None` without a database.
    pub fn new(databases: Vec<&'a D>) -> Option<Self> {
        if databases.is_empty() {
            return None;
        }
        let weights = vec![1; databases.len()];
        Some(Self { databases, weights })
    }

    /// The same shards with new users spread by `weights`: one per shard; the shards
    /// past the list keep weight 1. Callers check the list ([`crate::config`]).
    pub fn with_weights(mut self, weights: &[u32]) -> Self {
        for (slot, weight) in self.weights.iter_mut().zip(weights) {
            *slot = *weight;
        }
        self
    }

    pub fn len(&self) -> usize {
        self.databases.len()
    }

    /// Never: a deployment has at least the directory.
    pub fn is_empty(&self) -> bool {
        self.databases.is_empty()
    }

    /// Shard 0: the directory.
    pub fn directory(&self) -> &'a D {
        self.databases[0]
    }

    pub fn get(&self, index: ShardIndex) -> Result<&'a D, ShardError> {
        usize::try_from(index)
            .ok()
            .and_then(|position| self.databases.get(position))
            .copied()
            .ok_or(ShardError::Unknown(index))
    }

    /// Every shard with its index, in order.
    pub fn iter(&self) -> impl Iterator<Item = (ShardIndex, &'a D)> + '_ {
        self.databases
            .iter()
            .enumerate()
            .map(|(position, database)| (position as ShardIndex, *database))
    }

    pub fn weight(&self, index: ShardIndex) -> u32 {
        usize::try_from(index)
            .ok()
            .and_then(|position| self.weights.get(position))
            .copied()
            .unwrap_or(0)
    }

    /// Where a new user goes: the shard with the fewest users for its weight, the lowest
    /// index on a tie; `users` is the directory's count per shard (a shard it does not
    /// list has none). `None` when every weight is 0 (no shard takes new users).
    pub fn for_new_user(&self, users: &[ShardUsers]) -> Option<ShardIndex> {
        let count = |index: ShardIndex| {
            users
                .iter()
                .find(|entry| entry.shard == index)
                .map_or(0, |entry| entry.users)
        };
        self.iter()
            .map(|(index, _)| index)
            .filter(|index| self.weight(*index) > 0)
            // users / weight, compared without division: a/w < b/v ⇔ a·v < b·w.
            .min_by(|left, right| {
                let (left_load, right_load) = (
                    u128::from(count(*left)) * u128::from(self.weight(*right)),
                    u128::from(count(*right)) * u128::from(self.weight(*left)),
                );
                left_load.cmp(&right_load).then(left.cmp(right))
            })
    }
}

/// How many users the directory files under a shard.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShardUsers {
    pub shard: ShardIndex,
    pub users: u64,
}

/// Where a user lives, as the directory has it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserShard {
    pub user_id: String,
    pub shard: ShardIndex,
}

/// Serde's `skip_serializing_if` for a shard field that old messages lack: shard 0 is
/// written as nothing, so a single-database deployment's messages are what they were.
pub fn is_directory(index: &ShardIndex) -> bool {
    *index == DIRECTORY
}

#[cfg(test)]
mod tests {
    use super::*;

    fn users(counts: &[u64]) -> Vec<ShardUsers> {
        counts
            .iter()
            .enumerate()
            .map(|(shard, users)| ShardUsers {
                shard: shard as ShardIndex,
                users: *users,
            })
            .collect()
    }

    #[test]
    fn new_users_go_to_the_emptiest_shard_lowest_first() {
        let databases = [(), (), ()];
        let shards = Shards::new(databases.iter().collect()).expect("three");
        assert_eq!(shards.for_new_user(&[]), Some(0));
        assert_eq!(shards.for_new_user(&users(&[1])), Some(1));
        assert_eq!(shards.for_new_user(&users(&[1, 1])), Some(2));
        assert_eq!(shards.for_new_user(&users(&[5, 3, 4])), Some(1));
    }

    #[test]
    fn a_shard_added_later_takes_the_new_users_until_it_catches_up() {
        let databases = [(), (), (), ()];
        let shards = Shards::new(databases.iter().collect()).expect("four");
        let mut counts = users(&[100, 100, 100]);
        for _ in 0..100 {
            let chosen = shards.for_new_user(&counts).expect("a shard");
            assert_eq!(chosen, 3);
            match counts.iter_mut().find(|entry| entry.shard == chosen) {
                Some(entry) => entry.users += 1,
                None => counts.push(ShardUsers {
                    shard: chosen,
                    users: 1,
                }),
            }
        }
        assert_eq!(shards.for_new_user(&counts), Some(0));
    }

    #[test]
    fn weights_spread_users_in_proportion_and_zero_closes_a_shard() {
        let databases = [(), (), ()];
        let shards = Shards::new(databases.iter().collect())
            .expect("three")
            .with_weights(&[1, 2, 0]);
        // Shard 1 takes twice shard 0's users; shard 2 none.
        assert_eq!(shards.for_new_user(&users(&[10, 19, 0])), Some(1));
        assert_eq!(shards.for_new_user(&users(&[10, 20, 0])), Some(0));
        let closed = Shards::single(&()).with_weights(&[0]);
        assert_eq!(closed.for_new_user(&[]), None);
    }

    #[test]
    fn weights_past_the_list_are_one_and_an_unbound_shard_weighs_nothing() {
        let databases = [(), (), ()];
        let shards = Shards::new(databases.iter().collect())
            .expect("three")
            .with_weights(&[0]);
        assert_eq!(
            (shards.weight(0), shards.weight(1), shards.weight(2)),
            (0, 1, 1)
        );
        assert_eq!(shards.weight(3), 0);
        assert_eq!(shards.weight(ShardIndex::MAX), 0);
        // A longer list than the shards bound changes nothing past them.
        let longer = Shards::single(&()).with_weights(&[2, 5]);
        assert_eq!(
            (longer.weight(0), longer.weight(1), longer.len()),
            (2, 0, 1)
        );
        assert_eq!(shards.for_new_user(&users(&[0, 7, 7])), Some(1));
        assert_eq!(
            Shards::<()>::new(Vec::new()).map(|shards| shards.len()),
            None
        );
    }

    #[test]
    fn an_unbound_shard_is_an_error_not_another_shard() {
        let shards = Shards::single(&());
        assert!(shards.get(0).is_ok());
        assert_eq!(shards.get(1), Err(ShardError::Unknown(1)));
        assert_eq!(
            shards.get(ShardIndex::MAX),
            Err(ShardError::Unknown(ShardIndex::MAX))
        );
        assert_eq!(ShardError::Unknown(7).to_string(), "shard 7 is not bound");
        assert_eq!(binding_name(0), "ARCHIVE_DB");
        assert_eq!(binding_name(2), "ARCHIVE_DB_2");
    }
}
