//! TSTInfo (RFC 3161 §2.4.2). `x509-tsp` has one, but it reads genTime as der's
//! GeneralizedTime, which refuses the fractions of a second RFC 3161 allows and TSAs send.
use der::asn1::Int;
use der::oid::ObjectIdentifier;
use der::{DecodeValue, EncodeValue, FixedTag, Header, Length, Reader, Sequence, Tag, Writer};
use x509_cert::ext::pkix::name::GeneralName;
use x509_cert::ext::Extensions;
use x509_tsp::{Accuracy, MessageImprint, TspVersion};

#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub(super) struct TstInfo<'a> {
    pub version: TspVersion,
    pub policy: ObjectIdentifier,
    pub message_imprint: MessageImprint,
    pub serial_number: Int,
    pub gen_time: GenTime<'a>,
    #[asn1(optional = "true")]
    pub accuracy: Option<Accuracy>,
    #[asn1(default = "Default::default")]
    pub ordering: bool,
    #[asn1(optional = "true")]
    pub nonce: Option<Int>,
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT", optional = "true")]
    pub tsa: Option<GeneralName>,
    #[asn1(context_specific = "1", tag_mode = "IMPLICIT", optional = "true")]
    pub extensions: Option<Extensions>,
}

/// A GeneralizedTime's text as sent; `super::generalized_time` reads it.
#[derive(Clone, Copy, Debug, Eq, PartialEq)]
pub(super) struct GenTime<'a>(pub &'a [u8]);

impl FixedTag for GenTime<'_> {
    const TAG: Tag = Tag::GeneralizedTime;
}

impl<'a> DecodeValue<'a> for GenTime<'a> {
    fn decode_value<R: Reader<'a>>(reader: &mut R, header: Header) -> der::Result<Self> {
        Ok(GenTime(reader.read_slice(header.length)?))
    }
}

impl EncodeValue for GenTime<'_> {
    fn value_len(&self) -> der::Result<Length> {
        Length::try_from(self.0.len())
    }

    fn encode_value(&self, writer: &mut impl Writer) -> der::Result<()> {
        writer.write(self.0)
    }
}
