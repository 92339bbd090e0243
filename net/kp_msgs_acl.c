/* kp_msgs_acl.c — descriptor tables of the ACL APIs (structs in kp_msgs_acl.h), transcribed
 * by hand from Kafka 3.9's message JSON (DescribeAcls, CreateAcls, DeleteAcls). Same
 * conventions as kp_msgs_txn.c: one row per field in wire order with its schema path; nested
 * structs before the struct that uses them; nullable strings default to "" unless the schema
 * says null (none of these do). */
#include "kp_msgs.h"

/* ---- DescribeAcls (key 29): valid 0-3, flexible 2+ ---------------------------------------- */

static const struct kp_field DescribeAclsRequest_fields[] = {
	/* DescribeAclsRequest.ResourceTypeFilter: int8 [0+] */
	KP_FIELD(struct DescribeAclsRequest, ResourceTypeFilter, KP_INT8, 0, KP_VMAX),
	/* DescribeAclsRequest.ResourceNameFilter: string [0+] {null 0+} */
	KP_FIELD_NULL(struct DescribeAclsRequest, ResourceNameFilter, KP_STRING, 0, KP_VMAX, 0,
		      KP_VMAX, false),
	/* DescribeAclsRequest.PatternTypeFilter: int8 [1+] {def 3} */
	KP_FIELD_DEF(struct DescribeAclsRequest, PatternTypeFilter, KP_INT8, 1, KP_VMAX, 3),
	/* DescribeAclsRequest.PrincipalFilter: string [0+] {null 0+} */
	KP_FIELD_NULL(struct DescribeAclsRequest, PrincipalFilter, KP_STRING, 0, KP_VMAX, 0,
		      KP_VMAX, false),
	/* DescribeAclsRequest.HostFilter: string [0+] {null 0+} */
	KP_FIELD_NULL(struct DescribeAclsRequest, HostFilter, KP_STRING, 0, KP_VMAX, 0, KP_VMAX,
		      false),
	/* DescribeAclsRequest.Operation: int8 [0+] */
	KP_FIELD(struct DescribeAclsRequest, Operation, KP_INT8, 0, KP_VMAX),
	/* DescribeAclsRequest.PermissionType: int8 [0+] */
	KP_FIELD(struct DescribeAclsRequest, PermissionType, KP_INT8, 0, KP_VMAX),
};
const struct kp_struct kp_DescribeAclsRequest =
	KP_STRUCT_DESC(struct DescribeAclsRequest, DescribeAclsRequest_fields);

static const struct kp_field AclDescription_fields[] = {
	/* DescribeAclsResponse.Resources[].Acls[].Principal: string [0+] */
	KP_FIELD(struct AclDescription, Principal, KP_STRING, 0, KP_VMAX),
	/* DescribeAclsResponse.Resources[].Acls[].Host: string [0+] */
	KP_FIELD(struct AclDescription, Host, KP_STRING, 0, KP_VMAX),
	/* DescribeAclsResponse.Resources[].Acls[].Operation: int8 [0+] */
	KP_FIELD(struct AclDescription, Operation, KP_INT8, 0, KP_VMAX),
	/* DescribeAclsResponse.Resources[].Acls[].PermissionType: int8 [0+] */
	KP_FIELD(struct AclDescription, PermissionType, KP_INT8, 0, KP_VMAX),
};
static const struct kp_struct AclDescription_desc =
	KP_STRUCT_DESC(struct AclDescription, AclDescription_fields);

static const struct kp_field DescribeAclsResource_fields[] = {
	/* DescribeAclsResponse.Resources[].Type: int8 [0+] */
	KP_FIELD(struct DescribeAclsResource, Type, KP_INT8, 0, KP_VMAX),
	/* DescribeAclsResponse.Resources[].Name: string [0+] */
	KP_FIELD(struct DescribeAclsResource, Name, KP_STRING, 0, KP_VMAX),
	/* DescribeAclsResponse.Resources[].PatternType: int8 [1+] {def 3} */
	KP_FIELD_DEF(struct DescribeAclsResource, PatternType, KP_INT8, 1, KP_VMAX, 3),
	/* DescribeAclsResponse.Resources[].Acls: []AclDescription [0+] */
	KP_FIELD_ARRAY(struct DescribeAclsResource, Acls, KP_STRUCT, 0, KP_VMAX,
		       &AclDescription_desc),
};
static const struct kp_struct DescribeAclsResource_desc =
	KP_STRUCT_DESC(struct DescribeAclsResource, DescribeAclsResource_fields);

static const struct kp_field DescribeAclsResponse_fields[] = {
	/* DescribeAclsResponse.ThrottleTimeMs: int32 [0+] */
	KP_FIELD(struct DescribeAclsResponse, ThrottleTimeMs, KP_INT32, 0, KP_VMAX),
	/* DescribeAclsResponse.ErrorCode: int16 [0+] */
	KP_FIELD(struct DescribeAclsResponse, ErrorCode, KP_INT16, 0, KP_VMAX),
	/* DescribeAclsResponse.ErrorMessage: string [0+] {null 0+} */
	KP_FIELD_NULL(struct DescribeAclsResponse, ErrorMessage, KP_STRING, 0, KP_VMAX, 0,
		      KP_VMAX, false),
	/* DescribeAclsResponse.Resources: []DescribeAclsResource [0+] */
	KP_FIELD_ARRAY(struct DescribeAclsResponse, Resources, KP_STRUCT, 0, KP_VMAX,
		       &DescribeAclsResource_desc),
};
const struct kp_struct kp_DescribeAclsResponse =
	KP_STRUCT_DESC(struct DescribeAclsResponse, DescribeAclsResponse_fields);

/* ---- CreateAcls (key 30): valid 0-3, flexible 2+ ------------------------------------------ */

static const struct kp_field CreatableAcl_fields[] = {
	/* CreateAclsRequest.Creations[].ResourceType: int8 [0+] */
	KP_FIELD(struct CreatableAcl, ResourceType, KP_INT8, 0, KP_VMAX),
	/* CreateAclsRequest.Creations[].ResourceName: string [0+] */
	KP_FIELD(struct CreatableAcl, ResourceName, KP_STRING, 0, KP_VMAX),
	/* CreateAclsRequest.Creations[].ResourcePatternType: int8 [1+] {def 3} */
	KP_FIELD_DEF(struct CreatableAcl, ResourcePatternType, KP_INT8, 1, KP_VMAX, 3),
	/* CreateAclsRequest.Creations[].Principal: string [0+] */
	KP_FIELD(struct CreatableAcl, Principal, KP_STRING, 0, KP_VMAX),
	/* CreateAclsRequest.Creations[].Host: string [0+] */
	KP_FIELD(struct CreatableAcl, Host, KP_STRING, 0, KP_VMAX),
	/* CreateAclsRequest.Creations[].Operation: int8 [0+] */
	KP_FIELD(struct CreatableAcl, Operation, KP_INT8, 0, KP_VMAX),
	/* CreateAclsRequest.Creations[].PermissionType: int8 [0+] */
	KP_FIELD(struct CreatableAcl, PermissionType, KP_INT8, 0, KP_VMAX),
};
static const struct kp_struct CreatableAcl_desc =
	KP_STRUCT_DESC(struct CreatableAcl, CreatableAcl_fields);

static const struct kp_field CreateAclsRequest_fields[] = {
	/* CreateAclsRequest.Creations: []CreatableAcl [0+] */
	KP_FIELD_ARRAY(struct CreateAclsRequest, Creations, KP_STRUCT, 0, KP_VMAX,
		       &CreatableAcl_desc),
};
const struct kp_struct kp_CreateAclsRequest =
	KP_STRUCT_DESC(struct CreateAclsRequest, CreateAclsRequest_fields);

static const struct kp_field AclCreationResult_fields[] = {
	/* CreateAclsResponse.Results[].ErrorCode: int16 [0+] */
	KP_FIELD(struct AclCreationResult, ErrorCode, KP_INT16, 0, KP_VMAX),
	/* CreateAclsResponse.Results[].ErrorMessage: string [0+] {null 0+} */
	KP_FIELD_NULL(struct AclCreationResult, ErrorMessage, KP_STRING, 0, KP_VMAX, 0, KP_VMAX,
		      false),
};
static const struct kp_struct AclCreationResult_desc =
	KP_STRUCT_DESC(struct AclCreationResult, AclCreationResult_fields);

static const struct kp_field CreateAclsResponse_fields[] = {
	/* CreateAclsResponse.ThrottleTimeMs: int32 [0+] */
	KP_FIELD(struct CreateAclsResponse, ThrottleTimeMs, KP_INT32, 0, KP_VMAX),
	/* CreateAclsResponse.Results: []AclCreationResult [0+] */
	KP_FIELD_ARRAY(struct CreateAclsResponse, Results, KP_STRUCT, 0, KP_VMAX,
		       &AclCreationResult_desc),
};
const struct kp_struct kp_CreateAclsResponse =
	KP_STRUCT_DESC(struct CreateAclsResponse, CreateAclsResponse_fields);

/* ---- DeleteAcls (key 31): valid 0-3, flexible 2+ ------------------------------------------ */

static const struct kp_field DeleteAclsFilter_fields[] = {
	/* DeleteAclsRequest.Filters[].ResourceTypeFilter: int8 [0+] */
	KP_FIELD(struct DeleteAclsFilter, ResourceTypeFilter, KP_INT8, 0, KP_VMAX),
	/* DeleteAclsRequest.Filters[].ResourceNameFilter: string [0+] {null 0+} */
	KP_FIELD_NULL(struct DeleteAclsFilter, ResourceNameFilter, KP_STRING, 0, KP_VMAX, 0,
		      KP_VMAX, false),
	/* DeleteAclsRequest.Filters[].PatternTypeFilter: int8 [1+] {def 3} */
	KP_FIELD_DEF(struct DeleteAclsFilter, PatternTypeFilter, KP_INT8, 1, KP_VMAX, 3),
	/* DeleteAclsRequest.Filters[].PrincipalFilter: string [0+] {null 0+} */
	KP_FIELD_NULL(struct DeleteAclsFilter, PrincipalFilter, KP_STRING, 0, KP_VMAX, 0, KP_VMAX,
		      false),
	/* DeleteAclsRequest.Filters[].HostFilter: string [0+] {null 0+} */
	KP_FIELD_NULL(struct DeleteAclsFilter, HostFilter, KP_STRING, 0, KP_VMAX, 0, KP_VMAX,
		      false),
	/* DeleteAclsRequest.Filters[].Operation: int8 [0+] */
	KP_FIELD(struct DeleteAclsFilter, Operation, KP_INT8, 0, KP_VMAX),
	/* DeleteAclsRequest.Filters[].PermissionType: int8 [0+] */
	KP_FIELD(struct DeleteAclsFilter, PermissionType, KP_INT8, 0, KP_VMAX),
};
static const struct kp_struct DeleteAclsFilter_desc =
	KP_STRUCT_DESC(struct DeleteAclsFilter, DeleteAclsFilter_fields);

static const struct kp_field DeleteAclsRequest_fields[] = {
	/* DeleteAclsRequest.Filters: []DeleteAclsFilter [0+] */
	KP_FIELD_ARRAY(struct DeleteAclsRequest, Filters, KP_STRUCT, 0, KP_VMAX,
		       &DeleteAclsFilter_desc),
};
const struct kp_struct kp_DeleteAclsRequest =
	KP_STRUCT_DESC(struct DeleteAclsRequest, DeleteAclsRequest_fields);

static const struct kp_field DeleteAclsMatchingAcl_fields[] = {
	/* DeleteAclsResponse.FilterResults[].MatchingAcls[].ErrorCode: int16 [0+] */
	KP_FIELD(struct DeleteAclsMatchingAcl, ErrorCode, KP_INT16, 0, KP_VMAX),
	/* ...MatchingAcls[].ErrorMessage: string [0+] {null 0+} */
	KP_FIELD_NULL(struct DeleteAclsMatchingAcl, ErrorMessage, KP_STRING, 0, KP_VMAX, 0,
		      KP_VMAX, false),
	/* ...MatchingAcls[].ResourceType: int8 [0+] */
	KP_FIELD(struct DeleteAclsMatchingAcl, ResourceType, KP_INT8, 0, KP_VMAX),
	/* ...MatchingAcls[].ResourceName: string [0+] */
	KP_FIELD(struct DeleteAclsMatchingAcl, ResourceName, KP_STRING, 0, KP_VMAX),
	/* ...MatchingAcls[].PatternType: int8 [1+] {def 3} */
	KP_FIELD_DEF(struct DeleteAclsMatchingAcl, PatternType, KP_INT8, 1, KP_VMAX, 3),
	/* ...MatchingAcls[].Principal: string [0+] */
	KP_FIELD(struct DeleteAclsMatchingAcl, Principal, KP_STRING, 0, KP_VMAX),
	/* ...MatchingAcls[].Host: string [0+] */
	KP_FIELD(struct DeleteAclsMatchingAcl, Host, KP_STRING, 0, KP_VMAX),
	/* ...MatchingAcls[].Operation: int8 [0+] */
	KP_FIELD(struct DeleteAclsMatchingAcl, Operation, KP_INT8, 0, KP_VMAX),
	/* ...MatchingAcls[].PermissionType: int8 [0+] */
	KP_FIELD(struct DeleteAclsMatchingAcl, PermissionType, KP_INT8, 0, KP_VMAX),
};
static const struct kp_struct DeleteAclsMatchingAcl_desc =
	KP_STRUCT_DESC(struct DeleteAclsMatchingAcl, DeleteAclsMatchingAcl_fields);

static const struct kp_field DeleteAclsFilterResult_fields[] = {
	/* DeleteAclsResponse.FilterResults[].ErrorCode: int16 [0+] */
	KP_FIELD(struct DeleteAclsFilterResult, ErrorCode, KP_INT16, 0, KP_VMAX),
	/* DeleteAclsResponse.FilterResults[].ErrorMessage: string [0+] {null 0+} */
	KP_FIELD_NULL(struct DeleteAclsFilterResult, ErrorMessage, KP_STRING, 0, KP_VMAX, 0,
		      KP_VMAX, false),
	/* DeleteAclsResponse.FilterResults[].MatchingAcls: []DeleteAclsMatchingAcl [0+] */
	KP_FIELD_ARRAY(struct DeleteAclsFilterResult, MatchingAcls, KP_STRUCT, 0, KP_VMAX,
		       &DeleteAclsMatchingAcl_desc),
};
static const struct kp_struct DeleteAclsFilterResult_desc =
	KP_STRUCT_DESC(struct DeleteAclsFilterResult, DeleteAclsFilterResult_fields);

static const struct kp_field DeleteAclsResponse_fields[] = {
	/* DeleteAclsResponse.ThrottleTimeMs: int32 [0+] */
	KP_FIELD(struct DeleteAclsResponse, ThrottleTimeMs, KP_INT32, 0, KP_VMAX),
	/* DeleteAclsResponse.FilterResults: []DeleteAclsFilterResult [0+] */
	KP_FIELD_ARRAY(struct DeleteAclsResponse, FilterResults, KP_STRUCT, 0, KP_VMAX,
		       &DeleteAclsFilterResult_desc),
};
const struct kp_struct kp_DeleteAclsResponse =
	KP_STRUCT_DESC(struct DeleteAclsResponse, DeleteAclsResponse_fields);
