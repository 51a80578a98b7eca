from django.urls import path

from content import views

urlpatterns = [
    path("articles/", views.ArticleList.as_view(), name="article-list"),
    path("articles/<str:slug>/", views.ArticleDetail.as_view(), name="article-detail"),
    path("cause-types/", views.CauseTypeList.as_view(), name="causetype-list"),
    path(
        "cause-types/<str:slug>/",
        views.CauseTypeDetail.as_view(),
        name="causetype-detail",
    ),
    path("methods/", views.MethodList.as_view(), name="method-list"),
    path("methods/<str:slug>/", views.MethodDetail.as_view(), name="method-detail"),
    path("comparisons/", views.ComparisonList.as_view(), name="comparison-list"),
    path(
        "comparisons/<str:slug>/",
        views.ComparisonDetail.as_view(),
        name="comparison-detail",
    ),
    path("aftercare/", views.AftercareList.as_view(), name="aftercare-list"),
    path(
        "aftercare/<str:slug>/",
        views.AftercareDetail.as_view(),
        name="aftercare-detail",
    ),
    path("item-lists/", views.ItemListList.as_view(), name="itemlist-list"),
    path(
        "item-lists/<str:slug>/",
        views.ItemListDetail.as_view(),
        name="itemlist-detail",
    ),
    path("clinic/", views.ClinicProfileDetail.as_view(), name="clinic-profile"),
]
