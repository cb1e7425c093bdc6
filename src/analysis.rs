//! [`Analysis`]: one document with what the rules found in it. This is what `scan` reports, what
//! the review interface shows and what the redline export applies.

use serde::{Deserialize, Serialize};

use crate::document::Document;
use crate::finding::{Finding, TopicHit};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Analysis {
    pub document: Document,
    /// In document order (block, then start), document-level findings last.
    pub findings: Vec<Finding>,
    pub topics: Vec<TopicHit>,
}
