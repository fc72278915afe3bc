//! `OneTimeTokenRepository`, and the storing of tokens that travel in
//! `Effects` (through `State::apply_effects`).

use async_trait::async_trait;
use domain::ports::OneTimeTokenRepository;
use domain::{Effects, InfraError, NewOneTimeToken, OneTimeToken, TokenHash};

use crate::store::MemoryStore;

#[async_trait]
impl OneTimeTokenRepository for MemoryStore {
    async fn issue(&self, token: NewOneTimeToken, effects: Effects) -> Result<(), InfraError> {
        self.with_state(|state| {
            // This token and those of the effects are stored one after the
            // other, so they are checked together: a hash twice breaks the
            // key as it would in the database.
            let user_exists = |user| state.users.contains_key(&user);
            state.check_tokens(std::iter::once(&token).chain(&effects.tokens), &user_exists)?;
            state.check_effects(&effects, &user_exists)?;
            let at = token.created_at;
            // The same path as a token carried in `Effects::tokens`.
            state.store_token(token);
            state.apply_effects(effects, at);
            Ok(())
        })
    }

    async fn find(&self, hash: &TokenHash) -> Result<Option<OneTimeToken>, InfraError> {
        self.with_state(|state| Ok(state.tokens.get(hash.expose()).cloned()))
    }
}
