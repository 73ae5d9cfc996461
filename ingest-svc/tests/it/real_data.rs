//! The reference export (`BANKSEG_REAL_DATA`), read from a path and uploaded over Flight.

use bankseg_proto::ingest::v1::{IngestRequest, QualityReport, ingest_request};

use crate::support::{Harness, total_rows};

fn real_data() -> Option<std::path::PathBuf> {
    match std::env::var_os("BANKSEG_REAL_DATA") {
        Some(p) => Some(p.into()),
        None => {
            println!("skipped: BANKSEG_REAL_DATA not set");
            None
        }
    }
}

fn assert_reference_figures(q: &QualityReport) {
    assert_eq!(q.rows_read, 10_000);
    assert_eq!(q.rows_quarantined, 1);
    assert_eq!(q.quarantine_reasons.len(), 1);
    assert_eq!(q.quarantine_reasons[0].reason, "products_out_of_range");
    assert_eq!(q.exact_duplicates_removed, 0);
    assert_eq!(q.rows_clean, 9_999);
    assert_eq!(q.duplicate_ids, 73);
    assert_eq!(q.duplicate_id_rows, 146);
    assert!(q.counts_add_up);
    assert_eq!(
        q.rows_read,
        q.rows_clean + q.rows_quarantined + q.exact_duplicates_removed
    );
    let age = q.columns.iter().find(|c| c.column == "age").unwrap();
    assert_eq!(age.nulls, 26);
    let mb = q.missing_balance.as_ref().unwrap();
    assert_eq!(mb.rows, 10_000);
    assert_eq!(mb.missing, 2_295);
    for column in ["churn", "products", "equity", "city", "gender"] {
        let groups: Vec<_> = mb.groups.iter().filter(|g| g.column == column).collect();
        assert_eq!(
            groups.iter().map(|g| g.rows).sum::<u64>(),
            10_000,
            "{column}"
        );
        assert_eq!(
            groups.iter().map(|g| g.missing).sum::<u64>(),
            2_295,
            "{column}"
        );
    }
    let stayed = mb
        .groups
        .iter()
        .find(|g| g.column == "churn" && g.value == "false")
        .unwrap();
    assert!(stayed.share_of_missing > 0.99, "{stayed:?}");
    let en = &mb.explanation.as_ref().unwrap().en;
    assert!(
        en.starts_with("Balance is missing in 2,295 of 10,000 rows (22.9%)."),
        "{en}"
    );
    assert!(en.contains("The gaps are not random"), "{en}");
}

#[tokio::test]
async fn reference_export_from_a_path_and_an_upload() {
    let Some(file) = real_data() else { return };
    let file = std::fs::canonicalize(&file).unwrap();
    let root = file.parent().unwrap().to_path_buf();
    let h = Harness::start_with(
        tempfile::tempdir().unwrap(),
        tempfile::tempdir().unwrap(),
        vec![root],
    )
    .await;
    let from_path = h.ingest_path(&file).await.unwrap();
    assert_reference_figures(from_path.quality.as_ref().unwrap());
    assert_eq!(
        total_rows(&h.fetch("clean", &from_path.dataset_id).await),
        9_999
    );

    let bytes = std::fs::read(&file).unwrap();
    let upload_id = h.upload("bank_scrooge.csv", &bytes, 64 * 1024).await;
    let from_upload = h
        .ingest(IngestRequest {
            source: Some(ingest_request::Source::UploadId(upload_id)),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_reference_figures(from_upload.quality.as_ref().unwrap());
    assert_eq!(
        total_rows(&h.fetch("clean", &from_upload.dataset_id).await),
        9_999
    );
}
